import { describe, expect, it } from "vitest";
import { checkWebhookTarget } from "../../src/domain/webhooks/webhook.url-safety";

// docs/webhooks.md, "Outbound safety": literal targets that could reach a private network are refused.

describe("checkWebhookTarget", () => {
	it.each([
		"https://hooks.example.com/roster",
		"https://hooks.example.com:8443/a?b=c",
		"https://93.184.215.14/x",
		"https://[2606:4700::6810:84e5]/x",
	])("accepts the public https target %s", (url) => {
		expect(checkWebhookTarget(url, false)).toBeNull();
	});

	it.each([
		["http://hooks.example.com/", "https"],
		["ftp://hooks.example.com/", "https"],
		["not a url", "valid absolute URL"],
		["https://user:pw@hooks.example.com/", "credentials"],
		["https://10.0.0.1/", "private"],
		["https://172.16.5.4/", "private"],
		["https://172.31.255.255/", "private"],
		["https://192.168.1.1/", "private"],
		["https://127.0.0.1/", "loopback"],
		["https://127.1/", "loopback"],
		["https://2130706433/", "loopback"],
		["https://0x7f000001/", "loopback"],
		["https://0.0.0.0/", "unspecified"],
		["https://169.254.169.254/latest/meta-data", "link-local"],
		["https://100.64.0.1/", "CGNAT"],
		["https://224.0.0.1/", "multicast"],
		["https://240.0.0.1/", "reserved"],
		["https://255.255.255.255/", "reserved"],
		["https://[::1]/", "loopback"],
		["https://[::]/", "unspecified"],
		["https://[fc00::1]/", "unique-local"],
		["https://[fd12:3456::1]/", "unique-local"],
		["https://[fe80::1]/", "link-local"],
		["https://[ff02::1]/", "multicast"],
		["https://[::ffff:127.0.0.1]/", "IPv4-mapped"],
		["https://[::ffff:10.0.0.1]/", "IPv4-mapped"],
		["https://[::ffff:93.184.215.14]/", "IPv4-mapped"],
		["https://[64:ff9b::10.0.0.1]/", "NAT64"],
		["https://localhost/", "localhost"],
		["https://LOCALHOST./", "localhost"],
		["https://api.localhost/", "localhost"],
		["https://printer.local/", "local network"],
		["https://intranet/", "single-label"],
	])("refuses %s", (url, reason) => {
		const refused = checkWebhookTarget(url, false);
		expect(refused, url).not.toBeNull();
		expect(refused, url).toContain(reason);
	});

	it.each([
		"http://127.0.0.1:8080/hook",
		"https://127.0.0.1/",
		"http://[::1]:9000/",
		"http://localhost:3000/",
	])("allows the loopback target %s only with allowLoopback", (url) => {
		expect(checkWebhookTarget(url, true)).toBeNull();
		expect(checkWebhookTarget(url, false)).not.toBeNull();
	});

	it.each([
		"http://10.0.0.1/",
		"http://192.168.0.1/",
		"http://169.254.169.254/",
		"http://[::ffff:127.0.0.1]/",
		"http://hooks.example.com/",
	])("allowLoopback admits nothing wider than loopback: %s", (url) => {
		expect(checkWebhookTarget(url, true)).not.toBeNull();
	});

	it("refuses a URL over 2048 characters", () => {
		expect(checkWebhookTarget(`https://hooks.example.com/${"a".repeat(2048)}`, false)).toContain("longer");
	});
});
