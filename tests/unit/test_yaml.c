/* core/format/yaml: what the emitter writes is read back by real YAML parsers as the cJSON it
 * came from: PyYAML (YAML 1.1, as cloud-init and studioml read it) directly, and go-yaml
 * through `kubectl kustomize` (as kubectl reads the overlay), whose output PyYAML reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/format/yaml.h"
#include "testutil.h"

static char *dir;

/* Strings a careless emitter would let YAML read as something else. */
static const char *const tricky[] = {
	"yes", "no", "on", "off", "y", "n", "Yes", "NO", "True", "false", "~", "null", "Null", "", "<<", "=",
	"0x1", "0o17", "017", "0b101", "1_000", "12", "-3", "+4", "1.5", ".5", "1e3", ".inf", "-.Inf", ".NaN",
	"1:20", "190:20:30", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "0.13.2", "11164Mi",
	"a: b", "a:", ":a", "key: value # not a comment", "#hash", "a #b", "a#b", " leading", "trailing ",
	"  both  ", "-", "- item", "-dash", "?", "? q", "[x]", "{y}", "x, y", "&anchor", "*alias", "!tag",
	"|", ">", "'single'", "\"double\"", "%directive", "@at", "`tick`", "---", "...", "a\tb", "tab\t",
	"line1\nline2\n", "line1\nline2", "ends in two\n\n", "\nstarts with a newline\n",
	" indented first\nline\n", "blank\n\nline between\n", "cr\r\nlf\n", "nul-free \x01\x1f\x7f controls",
	"caf\xc3\xa9", "\xe2\x80\xa8 line separator", "\xc2\x85 next line", "\xef\xbb\xbf bom",
	"emoji \xf0\x9f\x98\x80", "back\\slash", "amqp://${RMQ_USER}:${RMQ_PASS}@10.1.2.3:5672/",
	"ALL=(ALL) NOPASSWD:ALL", "http://10.1.2.4:9000", "kubernetes.io/os",
	"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
};

static int group_setup(void **state)
{
	(void)state;
	dir = test_mkdtemp("yaml");
	return dir ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	test_rmrf(dir);
	free(dir);
	return 0;
}

/* doc as YAML text (measured, then written), NUL-terminated; caller frees. */
static char *emit(const cJSON *doc, const char *head)
{
	long n = yaml_emit(doc, head, NULL, 0);
	assert_true(n > 0);
	char *text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(yaml_emit(doc, head, text, (size_t)n + 1), n);
	assert_int_equal(strlen(text), (size_t)n);
	return text;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* cmd's standard output parsed as JSON. */
static cJSON *run_json(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	n = fread(buf, 1, cap - 1, p);
	buf[n] = 0;
	assert_int_equal(pclose(p), 0);
	cJSON *j = cJSON_Parse(buf);
	if (!j)
		fail_msg("not JSON from %s: %s", cmd, buf);
	free(buf);
	return j;
}

/* PyYAML's safe_load of every document in path, as a JSON array. */
static cJSON *pyyaml(const char *path)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd,
	         "python3 -c 'import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1], "
	         "encoding=\"utf-8\")))))' '%s'", path);
	return run_json(cmd);
}

static void assert_same(const cJSON *want, const cJSON *got, const char *text)
{
	if (!cJSON_Compare(want, got, 1)) {
		char *w = cJSON_PrintUnformatted(want), *g = cJSON_PrintUnformatted(got);
		fail_msg("read back differs\nwant %s\ngot  %s\nyaml:\n%s", w, g, text);
	}
}

/* Each tricky string as a value, a key, a sequence item and a value in a sequence's mapping. */
static cJSON *tricky_doc(void)
{
	cJSON *doc = cJSON_CreateObject(), *vals = cJSON_AddObjectToObject(doc, "values");
	cJSON *keys = cJSON_AddObjectToObject(doc, "keys"), *items = cJSON_AddArrayToObject(doc, "items");
	cJSON *maps = cJSON_AddArrayToObject(doc, "maps");
	for (size_t i = 0; i < sizeof tricky / sizeof *tricky; i++) {
		char k[16];
		snprintf(k, sizeof k, "v%zu", i);
		cJSON_AddStringToObject(vals, k, tricky[i]);
		cJSON_AddNumberToObject(keys, tricky[i], (double)i);
		cJSON_AddItemToArray(items, cJSON_CreateString(tricky[i]));
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "name", tricky[i]);
		cJSON_AddStringToObject(m, "value", tricky[i]);
		cJSON_AddItemToArray(maps, m);
	}
	return doc;
}

static void test_every_special_scalar_reads_back_as_the_string(void **state)
{
	(void)state;
	cJSON *doc = tricky_doc();
	/* Other types and shapes next to them: numbers, booleans, null, empty and nested collections. */
	cJSON *misc = cJSON_AddObjectToObject(doc, "misc");
	cJSON_AddNumberToObject(misc, "int", 42);
	cJSON_AddNumberToObject(misc, "negative", -7);
	cJSON_AddNumberToObject(misc, "float", 0.25);
	cJSON_AddNumberToObject(misc, "big", 1e20);
	cJSON_AddTrueToObject(misc, "t");
	cJSON_AddFalseToObject(misc, "f");
	cJSON_AddNullToObject(misc, "nothing");
	cJSON_AddObjectToObject(misc, "empty_map");
	cJSON_AddArrayToObject(misc, "empty_list");
	cJSON *nest = cJSON_AddArrayToObject(misc, "nested");
	cJSON *inner = cJSON_CreateArray();
	cJSON_AddItemToArray(inner, cJSON_CreateString("yes"));
	cJSON_AddItemToArray(inner, cJSON_CreateArray());
	cJSON_AddItemToArray(nest, inner);
	cJSON *deep = cJSON_CreateObject();
	cJSON_AddItemToObject(cJSON_AddObjectToObject(deep, "a"), "b", cJSON_CreateStringArray(tricky, 3));
	cJSON_AddItemToArray(nest, deep);
	char *text = emit(doc, "# a comment\n#cloud-config");
	char path[700];
	snprintf(path, sizeof path, "%s/tricky.yaml", dir);
	write_text(path, text);
	/* The head first, as given: cloud-init reads its first line. */
	assert_int_equal(strncmp(text, "# a comment\n#cloud-config\n", 26), 0);
	cJSON *got = pyyaml(path);
	assert_int_equal(cJSON_GetArraySize(got), 1);
	assert_same(doc, cJSON_GetArrayItem(got, 0), text);
	/* Plain where that is safe, a literal block for a key file: what an operator reads. */
	assert_non_null(strstr(text, "\n  kubernetes.io/os: "));
	assert_non_null(strstr(text, ": |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n    b3Blbn"));
	assert_non_null(strstr(text, "\n  v0: \"yes\"\n"));
	free(text);
	cJSON_Delete(got);
	cJSON_Delete(doc);
}

/* The same strings in a ConfigMap rendered by `kubectl kustomize` (go-yaml reads the file and
 * writes its own YAML) come out unchanged; but for C0 controls, which go-yaml reads and then
 * refuses to write ("control characters are not allowed"), and U+0085, which it writes raw
 * between single quotes where js-yaml folds it to a space. */
static void test_kubectl_reads_it_the_same(void **state)
{
	(void)state;
	char sub[700], path[800], cmd[2000];
	snprintf(sub, sizeof sub, "%s/kustomize", dir);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sub);
	assert_int_equal(system(cmd), 0);
	cJSON *cm = cJSON_CreateObject();
	cJSON_AddStringToObject(cm, "apiVersion", "v1");
	cJSON_AddStringToObject(cm, "kind", "ConfigMap");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(cm, "metadata"), "name", "tricky");
	cJSON *data = cJSON_AddObjectToObject(cm, "data");
	for (size_t i = 0; i < sizeof tricky / sizeof *tricky; i++) {
		char k[16];
		snprintf(k, sizeof k, "v%zu", i);
		if (!strpbrk(tricky[i], "\x01\r") && !strstr(tricky[i], "\xc2\x85"))
			cJSON_AddStringToObject(data, k, tricky[i]);
	}
	assert_true(cJSON_GetArraySize(data) + 3 == (int)(sizeof tricky / sizeof *tricky));
	char *text = emit(cm, NULL);
	snprintf(path, sizeof path, "%s/cm.yaml", sub);
	write_text(path, text);
	cJSON *k = cJSON_CreateObject();
	cJSON_AddStringToObject(k, "apiVersion", "kustomize.config.k8s.io/v1beta1");
	cJSON_AddStringToObject(k, "kind", "Kustomization");
	cJSON_AddItemToObject(k, "resources", cJSON_CreateStringArray((const char *const[]){"cm.yaml"}, 1));
	char *ktext = emit(k, NULL);
	snprintf(path, sizeof path, "%s/kustomization.yaml", sub);
	write_text(path, ktext);
	snprintf(path, sizeof path, "%s/rendered.yaml", dir);
	snprintf(cmd, sizeof cmd, "kubectl kustomize '%s' > '%s'", sub, path);
	assert_int_equal(system(cmd), 0);
	/* kubectl writes "<<" plain, which PyYAML takes for a merge key: js-yaml (YAML 1.2, as
	 * tests/unit/overlay_compare.py reads kubectl's output) reads it back. */
	const char *top = getenv("SW_TOP");
	snprintf(cmd, sizeof cmd,
	         "node -e 'const y=require(process.argv[1]);console.log(JSON.stringify(y.load(require(\"fs\")"
	         ".readFileSync(process.argv[2],\"utf8\"))))' '%s/tests/fake/node_modules/js-yaml' '%s'",
	         top ? top : ".", path);
	cJSON *got = cJSON_CreateArray();
	cJSON_AddItemToArray(got, run_json(cmd));
	assert_same(cm, cJSON_GetArrayItem(got, 0), text);
	free(text);
	free(ktext);
	cJSON_Delete(got);
	cJSON_Delete(k);
	cJSON_Delete(cm);
}

static void test_refuses_what_yaml_cannot_carry(void **state)
{
	(void)state;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "ok", "fine");
	assert_true(yaml_emit(doc, NULL, NULL, 0) > 0);
	/* A head line that is not a comment would be YAML of its own. */
	assert_int_equal(yaml_emit(doc, "# fine\nkey: injected", NULL, 0), -1);
	cJSON_AddStringToObject(doc, "latin1", "caf\xe9");   /* not UTF-8 */
	assert_int_equal(yaml_emit(doc, NULL, NULL, 0), -1);
	cJSON_DeleteItemFromObject(doc, "latin1");
	cJSON_AddItemToObject(doc, "caf\xe9", cJSON_CreateTrue());
	assert_int_equal(yaml_emit(doc, NULL, NULL, 0), -1);
	cJSON_DeleteItemFromObject(doc, "caf\xe9");
	cJSON_AddNumberToObject(doc, "nan", NAN);
	assert_int_equal(yaml_emit(doc, NULL, NULL, 0), -1);
	cJSON_DeleteItemFromObject(doc, "nan");
	cJSON_AddRawToObject(doc, "raw", "{\"a\": 1}");
	assert_int_equal(yaml_emit(doc, NULL, NULL, 0), -1);
	cJSON_Delete(doc);
	/* A scalar is no document here. */
	cJSON *s = cJSON_CreateString("x");
	assert_int_equal(yaml_emit(s, NULL, NULL, 0), -1);
	cJSON_Delete(s);
}

/* As snprintf: a short buffer gets a NUL-terminated prefix and the full length is returned. */
static void test_short_buffer_is_cut_and_measured(void **state)
{
	(void)state;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "name", "value");
	char small[8];
	memset(small, 'X', sizeof small);
	assert_int_equal(yaml_emit(doc, NULL, small, sizeof small), (long)strlen("name: value\n"));
	assert_string_equal(small, "name: v");
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_special_scalar_reads_back_as_the_string),
		cmocka_unit_test(test_kubectl_reads_it_the_same),
		cmocka_unit_test(test_refuses_what_yaml_cannot_carry),
		cmocka_unit_test(test_short_buffer_is_cut_and_measured),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
