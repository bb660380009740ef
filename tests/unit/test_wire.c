/* core/format/wire: the one reader of length-prefixed binary formats (SSH key files and SFTP
 * packets, AMQP frames). A length that claims more than is left, or a value cut short, is
 * refused, and the refusal sticks: nothing after it is read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/format/wire.h"

static void test_ssh_string_round_trip(void **state)
{
	(void)state;
	unsigned char buf[64];
	struct wire_wr w = {buf, 0, sizeof buf, 0};
	wire_put_long(&w, "ssh-ed25519", 11);
	wire_put_u32(&w, 7);
	wire_put_long(&w, "", 0);
	assert_false(w.bad);
	assert_int_equal(w.len, 4 + 11 + 4 + 4);
	assert_memory_equal(buf, "\0\0\0\x0bssh-ed25519\0\0\0\x07\0\0\0\0", w.len);
	struct wire_rd r = {buf, w.len, 0, 0};
	size_t n;
	const unsigned char *s = wire_str(&r, 1, &n);
	assert_int_equal(n, 11);
	assert_memory_equal(s, "ssh-ed25519", 11);
	assert_int_equal(wire_u32(&r), 7);
	assert_non_null(wire_str(&r, 1, &n));
	assert_int_equal(n, 0);
	assert_false(r.bad);
	assert_int_equal(r.off, r.n);
}

/* A length one past what is left, and the largest length there is: no read past the end. */
static void test_oversized_length_refused(void **state)
{
	(void)state;
	static const unsigned char one_past[] = {0, 0, 0, 5, 'a', 'b', 'c', 'd', 0, 0, 0, 1};
	struct wire_rd r = {one_past, 8, 0, 0};   /* the string would end at 9 */
	size_t n = 99;
	assert_null(wire_str(&r, 1, &n));
	assert_int_equal(n, 0);
	assert_true(r.bad);
	/* Sticks: even what would fit is not read after a refusal. */
	struct wire_rd again = {one_past, sizeof one_past, 0, 1};
	assert_int_equal(wire_u32(&again), 0);
	assert_null(wire_str(&again, 1, &n));

	static const unsigned char huge[] = {0xff, 0xff, 0xff, 0xff, 'x'};
	struct wire_rd h = {huge, sizeof huge, 0, 0};
	n = 99;
	assert_null(wire_str(&h, 1, &n));
	assert_int_equal(n, 0);
	assert_true(h.bad);
	assert_int_equal(h.off, 4);   /* the length was read, nothing past it */
}

static void test_truncated_values_refused(void **state)
{
	(void)state;
	static const unsigned char three[] = {0, 0, 1};
	struct wire_rd r = {three, sizeof three, 0, 0};
	assert_int_equal(wire_u32(&r), 0);
	assert_true(r.bad);
	struct wire_rd e = {three, 0, 0, 0};
	size_t n = 99;
	assert_null(wire_str(&e, 1, &n));   /* no length at all */
	assert_int_equal(n, 0);
	assert_true(e.bad);
	/* A shortstr (AMQP) whose one-byte length says more than is left. */
	static const unsigned char sh[] = {3, 'a', 'b'};
	struct wire_rd s = {sh, sizeof sh, 0, 0};
	assert_null(wire_str(&s, 0, &n));
	assert_true(s.bad);
}

/* A write that does not fit writes nothing and sticks, so a packet is never sent cut short. */
static void test_overflowing_write_refused(void **state)
{
	(void)state;
	unsigned char buf[10];
	memset(buf, 0xee, sizeof buf);
	struct wire_wr w = {buf, 0, 8, 0};
	wire_put_long(&w, "abc", 3);
	assert_false(w.bad);
	wire_put_long(&w, "de", 2);   /* 4 + 2 more than the 1 left */
	assert_true(w.bad);
	wire_put_u8(&w, 1);
	assert_int_equal(w.len, 7);
	assert_int_equal(buf[7], 0xee);
	assert_int_equal(buf[8], 0xee);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh_string_round_trip),
		cmocka_unit_test(test_oversized_length_refused),
		cmocka_unit_test(test_truncated_values_refused),
		cmocka_unit_test(test_overflowing_write_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
