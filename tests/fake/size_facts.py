"""size_facts: the VM sizes the wizard's choosers offer (core/model/plan.c) that the recorded
resourceSkus answer lacks, and the Hyper-V generations of every size, so that the fake's SKU
list answers for each of them as Azure's does. One row a size; the source of its numbers is
Microsoft's size page of its series (learn.microsoft.com/azure/virtual-machines/sizes/...),
whose "VM Generation Support" line gives the generations. Families are the usage names the
Compute usages API reports for them."""

GEN1 = "V1"
GEN12 = "V1,V2"
GEN2 = "V2"
SIZES_DOC = "https://learn.microsoft.com/azure/virtual-machines/sizes/"

# name: (family, vCPUs, MemoryGB, GPUs, HyperVGenerations, PremiumIO, source page)
SIZES = {
    "Standard_A2_v2": ("standardAv2Family", 2, 4, 0, GEN1, False, "general-purpose/av2-series"),
    "Standard_A4_v2": ("standardAv2Family", 4, 8, 0, GEN1, False, "general-purpose/av2-series"),
    "Standard_B2s": ("standardBSFamily", 2, 4, 0, GEN12, True, "general-purpose/bv1-series"),
    "Standard_B2ms": ("standardBSFamily", 2, 8, 0, GEN12, True, "general-purpose/bv1-series"),
    "Standard_D2s_v3": ("standardDSv3Family", 2, 8, 0, GEN12, True, "general-purpose/dsv3-series"),
    "Standard_D4s_v3": ("standardDSv3Family", 4, 16, 0, GEN12, True, "general-purpose/dsv3-series"),
    "Standard_D2s_v5": ("standardDSv5Family", 2, 8, 0, GEN12, True, "general-purpose/dsv5-series"),
    "Standard_D4s_v5": ("standardDSv5Family", 4, 16, 0, GEN12, True, "general-purpose/dsv5-series"),
    "Standard_DS12_v2": ("standardDSv2Family", 4, 28, 0, GEN12, True, "memory-optimized/dsv2-series"),
    "Standard_NC6s_v3": ("standardNCSv3Family", 6, 112, 1, GEN12, True, "gpu-accelerated/ncv3-series"),
    "Standard_NC12s_v3": ("standardNCSv3Family", 12, 224, 2, GEN12, True, "gpu-accelerated/ncv3-series"),
    "Standard_NC24s_v3": ("standardNCSv3Family", 24, 448, 4, GEN12, True, "gpu-accelerated/ncv3-series"),
    "Standard_NC6": ("standardNCFamily", 6, 56, 1, GEN1, False, "gpu-accelerated/nc-series"),
    "Standard_NC4as_T4_v3": ("standardNCASv3_T4Family", 4, 28, 1, GEN12, True,
                             "gpu-accelerated/ncast4v3-series"),
    "Standard_NC8as_T4_v3": ("standardNCASv3_T4Family", 8, 56, 1, GEN12, True,
                             "gpu-accelerated/ncast4v3-series"),
    "Standard_NC16as_T4_v3": ("standardNCASv3_T4Family", 16, 110, 1, GEN12, True,
                              "gpu-accelerated/ncast4v3-series"),
    "Standard_NC64as_T4_v3": ("standardNCASv3_T4Family", 64, 440, 4, GEN12, True,
                              "gpu-accelerated/ncast4v3-series"),
    "Standard_NV36ads_A10_v5": ("standardNVADSA10v5Family", 36, 440, 1, GEN12, True,
                                "gpu-accelerated/nvadsa10v5-series"),
    "Standard_NC24ads_A100_v4": ("standardNCADSA100v4Family", 24, 220, 1, GEN2, True,
                                 "gpu-accelerated/nca100v4-series"),
    "Standard_NC48ads_A100_v4": ("standardNCADSA100v4Family", 48, 440, 2, GEN2, True,
                                 "gpu-accelerated/nca100v4-series"),
    "Standard_NC96ads_A100_v4": ("standardNCADSA100v4Family", 96, 880, 4, GEN2, True,
                                 "gpu-accelerated/nca100v4-series"),
    "Standard_ND96asr_v4": ("standardNDASv4_A100Family", 96, 900, 8, GEN2, True,
                            "gpu-accelerated/nda100v4-series"),
    "Standard_ND96amsr_A100_v4": ("standardNDAMSv4_A100Family", 96, 1900, 8, GEN2, True,
                                  "gpu-accelerated/ndma100v4-series"),
    "Standard_NC40ads_H100_v5": ("standardNCadsH100v5Family", 40, 320, 1, GEN2, True,
                                 "gpu-accelerated/ncadsh100v5-series"),
    "Standard_NC80adis_H100_v5": ("standardNCadsH100v5Family", 80, 640, 2, GEN2, True,
                                  "gpu-accelerated/ncadsh100v5-series"),
    "Standard_ND96isr_H100_v5": ("standardNDSH100v5Family", 96, 1900, 8, GEN2, True,
                                 "gpu-accelerated/ndh100v5-series"),
}


def apply(skus):
    """The recorded list with every size above present and its generations set from the table:
    a missing size is built from the recorded Standard_D2s_v3 entry (the recording's own
    shape), with the numbers above."""
    import copy
    have = {s["name"].lower(): s for s in skus if s.get("resourceType", "virtualMachines") == "virtualMachines"}
    tmpl = have.get("standard_d2s_v3")
    for name, (family, vcpus, mem, gpus, gens, premium, _page) in SIZES.items():
        s = have.get(name.lower())
        if s is None:
            s = copy.deepcopy(tmpl)
            s.update(name=name, size=name.replace("Standard_", ""), family=family)
            s["restrictions"] = []
            skus.append(s)
        caps = [c for c in s.get("capabilities", [])
                if c["name"] not in ("vCPUs", "vCPUsAvailable", "MemoryGB", "GPUs", "HyperVGenerations", "PremiumIO")]
        caps += [{"name": "vCPUs", "value": str(vcpus)}, {"name": "vCPUsAvailable", "value": str(vcpus)},
                 {"name": "MemoryGB", "value": str(mem)}, {"name": "HyperVGenerations", "value": gens},
                 {"name": "PremiumIO", "value": str(premium)}]
        if gpus:
            caps.append({"name": "GPUs", "value": str(gpus)})
        s["capabilities"] = caps
    return skus
