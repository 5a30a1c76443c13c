// Unit tests of the per-key IP allowlist (src/lib/ip-allowlist.ts): parsing and matching.
import { describe, expect, it } from "vitest";
import { isIpAllowed, isValidIpEntry, parseIp } from "../../src/lib/ip-allowlist";

describe("parseIp", () => {
	it.each([
		["0.0.0.0", 0n],
		["255.255.255.255", 0xffffffffn],
		["192.0.2.1", 0xc0000201n],
		["10.0.0.1", 0x0a000001n],
		[" 10.0.0.1 ", 0x0a000001n],
	])("IPv4 %s", (text, value) => {
		expect(parseIp(text)).toEqual({ version: 4, value });
	});

	it.each([
		["::", 0n],
		["::1", 1n],
		["1::", 1n << 112n],
		["2001:db8::1", 0x20010db8000000000000000000000001n],
		["2001:0DB8:0000:0000:0000:0000:0000:0001", 0x20010db8000000000000000000000001n],
		["2001:db8:0:0:1::1", 0x20010db8000000000001000000000001n],
		["1:2:3:4:5:6:7::", 0x00010002000300040005000600070000n],
		["::2:3:4:5:6:7:8", 0x00000002000300040005000600070008n],
		["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", (1n << 128n) - 1n],
		["fe80::1%eth0", 0xfe800000000000000000000000000001n],
		["[2001:db8::1]", 0x20010db8000000000000000000000001n],
		["::1.2.3.4", 0x01020304n],
		["64:ff9b::192.0.2.1", 0x0064ff9b0000000000000000c0000201n],
	])("IPv6 %s", (text, value) => {
		expect(parseIp(text)).toEqual({ version: 6, value });
	});

	it.each([
		["::ffff:192.0.2.1", 0xc0000201n],
		["::ffff:c000:201", 0xc0000201n],
		["::FFFF:10.0.0.1", 0x0a000001n],
		["0:0:0:0:0:ffff:192.0.2.1", 0xc0000201n],
	])("IPv4-mapped %s is the IPv4 address", (text, value) => {
		expect(parseIp(text)).toEqual({ version: 4, value });
	});

	it.each([
		"",
		" ",
		"garbage",
		"1.2.3",
		"1.2.3.4.5",
		"256.0.0.1",
		"1.2.3.-4",
		"01.2.3.4",
		"1.2.3.04",
		"1.2.3.00",
		"1.2.3.4 5",
		"0x1.2.3.4",
		"1e2.0.0.1",
		"１.２.３.４",
		"1.2.3.4:80",
		":",
		":::",
		"1::2::3",
		"12345::",
		"g::1",
		"1:2:3:4:5:6:7",
		"1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7:8::",
		"::1:2:3:4:5:6:7:8",
		"::ffff:1.2.3",
		"::ffff:256.1.1.1",
		"::ffff:01.2.3.4",
		"1.2.3.4::",
		"::1.2.3.4:5",
		"[::1",
	])("refuses %j", (text) => {
		expect(parseIp(text)).toBeNull();
	});
});

describe("isValidIpEntry", () => {
	it.each([
		"10.0.0.1",
		"10.0.0.0/8",
		"0.0.0.0/0",
		"192.0.2.1/32",
		"2001:db8::/32",
		"::/0",
		"::1/128",
		"::",
		"fe80::/10",
		"fe80::1%eth0",
		"::ffff:10.0.0.0/104",
		" 10.0.0.0/8 ",
	])("accepts %j", (entry) => {
		expect(isValidIpEntry(entry)).toBe(true);
	});

	it.each([
		"",
		"/8",
		"10.0.0.0/",
		"10.0.0.0/33",
		"10.0.0.0/-1",
		"10.0.0.0/+8",
		"10.0.0.0/8/8",
		"10.0.0.0/1000",
		"10.0.0.0/a",
		"010.0.0.0/8",
		"2001:db8::/129",
		// A mapped address keeps an IPv6 prefix length, which must cover the ::ffff: part.
		"::ffff:10.0.0.0/8",
		"::ffff:10.0.0.0/129",
		"localhost",
		"*",
		"10.0.0.*",
		"10.0.0.1-10.0.0.9",
	])("refuses %j", (entry) => {
		expect(isValidIpEntry(entry)).toBe(false);
	});
});

describe("isIpAllowed", () => {
	it("an empty list admits everyone, even with no or a garbage address", () => {
		expect(isIpAllowed([], "192.0.2.1")).toBe(true);
		expect(isIpAllowed([], null)).toBe(true);
		expect(isIpAllowed([], undefined)).toBe(true);
		expect(isIpAllowed([], "garbage")).toBe(true);
	});

	it("a non-empty list refuses a missing or unparsable client address", () => {
		expect(isIpAllowed(["0.0.0.0/0"], null)).toBe(false);
		expect(isIpAllowed(["0.0.0.0/0"], undefined)).toBe(false);
		expect(isIpAllowed(["0.0.0.0/0"], "")).toBe(false);
		expect(isIpAllowed(["0.0.0.0/0", "::/0"], "garbage")).toBe(false);
	});

	it("exact IPv4 (no prefix means /32)", () => {
		expect(isIpAllowed(["192.0.2.1"], "192.0.2.1")).toBe(true);
		expect(isIpAllowed(["192.0.2.1"], "192.0.2.2")).toBe(false);
		expect(isIpAllowed(["192.0.2.1/32"], "192.0.2.1")).toBe(true);
		expect(isIpAllowed(["192.0.2.1/32"], "192.0.2.0")).toBe(false);
	});

	it("IPv4 CIDR, including the range boundaries and a host-bits-set network", () => {
		expect(isIpAllowed(["10.0.0.0/8"], "10.0.0.0")).toBe(true);
		expect(isIpAllowed(["10.0.0.0/8"], "10.255.255.255")).toBe(true);
		expect(isIpAllowed(["10.0.0.0/8"], "11.0.0.0")).toBe(false);
		expect(isIpAllowed(["10.0.0.0/8"], "9.255.255.255")).toBe(false);
		expect(isIpAllowed(["192.0.2.77/24"], "192.0.2.1")).toBe(true);
		expect(isIpAllowed(["192.0.2.0/31"], "192.0.2.1")).toBe(true);
		expect(isIpAllowed(["192.0.2.0/31"], "192.0.2.2")).toBe(false);
	});

	it("/0 admits every address of its own family only", () => {
		expect(isIpAllowed(["0.0.0.0/0"], "203.0.113.9")).toBe(true);
		expect(isIpAllowed(["0.0.0.0/0"], "2001:db8::1")).toBe(false);
		expect(isIpAllowed(["::/0"], "2001:db8::1")).toBe(true);
		expect(isIpAllowed(["::/0"], "203.0.113.9")).toBe(false);
	});

	it("exact IPv6, whatever the spelling", () => {
		expect(isIpAllowed(["2001:db8::1"], "2001:0db8:0000:0000:0000:0000:0000:0001")).toBe(true);
		expect(isIpAllowed(["2001:0DB8::0001"], "2001:db8::1")).toBe(true);
		expect(isIpAllowed(["2001:db8::1/128"], "2001:db8::1")).toBe(true);
		expect(isIpAllowed(["2001:db8::1"], "2001:db8::2")).toBe(false);
		expect(isIpAllowed(["::1"], "::1")).toBe(true);
		expect(isIpAllowed(["::1"], "::")).toBe(false);
		expect(isIpAllowed(["::"], "::")).toBe(true);
	});

	it("IPv6 CIDR", () => {
		expect(isIpAllowed(["2001:db8::/32"], "2001:db8::")).toBe(true);
		expect(isIpAllowed(["2001:db8::/32"], "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(true);
		expect(isIpAllowed(["2001:db8::/32"], "2001:db9::")).toBe(false);
		expect(isIpAllowed(["2001:db8::/32"], "2001:db7:ffff::1")).toBe(false);
		expect(isIpAllowed(["fe80::/10"], "febf::1")).toBe(true);
		expect(isIpAllowed(["fe80::/10"], "fec0::1")).toBe(false);
	});

	it("zone ids and brackets on the client address are ignored", () => {
		expect(isIpAllowed(["fe80::/10"], "fe80::1%eth0")).toBe(true);
		expect(isIpAllowed(["2001:db8::1"], "[2001:db8::1]")).toBe(true);
	});

	it("an IPv4-mapped client address matches IPv4 entries, and mapped entries match IPv4 clients", () => {
		expect(isIpAllowed(["192.0.2.0/24"], "::ffff:192.0.2.9")).toBe(true);
		expect(isIpAllowed(["192.0.2.0/24"], "::ffff:c000:209")).toBe(true);
		expect(isIpAllowed(["192.0.2.0/24"], "::ffff:198.51.100.1")).toBe(false);
		expect(isIpAllowed(["::ffff:192.0.2.0/120"], "192.0.2.200")).toBe(true);
		expect(isIpAllowed(["::ffff:192.0.2.1"], "192.0.2.1")).toBe(true);
		// Only ::ffff:0:0/96 is "mapped"; other embeddings stay IPv6.
		expect(isIpAllowed(["192.0.2.1"], "::192.0.2.1")).toBe(false);
		expect(isIpAllowed(["192.0.2.1"], "64:ff9b::192.0.2.1")).toBe(false);
	});

	it("any one of several entries admits; invalid entries never match", () => {
		const entries = ["not-an-ip", "10.0.0.0/33", "10.0.0.0/8", "2001:db8::/32"];
		expect(isIpAllowed(entries, "10.1.2.3")).toBe(true);
		expect(isIpAllowed(entries, "2001:db8::7")).toBe(true);
		expect(isIpAllowed(entries, "192.0.2.1")).toBe(false);
		expect(isIpAllowed(["not-an-ip"], "192.0.2.1")).toBe(false);
	});

	it("a v4 address never matches a v6 range with the same bits", () => {
		// ::c000:201 carries the same 32 low bits as 192.0.2.1.
		expect(isIpAllowed(["::c000:201"], "192.0.2.1")).toBe(false);
		expect(isIpAllowed(["::/96"], "192.0.2.1")).toBe(false);
	});
});
