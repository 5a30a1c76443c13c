// Project settings: what a management key can read. Lifetimes, lockout and the policy itself are
// changed through the operator API (docs/management-keys.md), which a management key cannot reach.
import type { Hono } from "hono";
import { type ConsoleContext, type ConsoleEnv, render } from "../context";
import { ErrorBox, Section } from "../layout";

interface Policy {
	minLength: number;
	lowercase: boolean;
	uppercase: boolean;
	number: boolean;
	nonAlphanumeric: boolean;
}

async function settingsPage(c: ConsoleContext) {
	const [policy, license] = await Promise.all([
		c.var.api.getPublic<Policy>("/v1/auth/password/policy"),
		c.var.api.get<{ rateLimitTier: string }>("/v1/mgmt/license"),
	]);
	const yes = (v: boolean) => (v ? "required" : "not required");
	return render(
		c,
		{ title: "Project settings", section: "settings" },
		<>
			<Section title="Project" id="project">
				<dl class="facts">
					<dt>Project id</dt>
					<dd>
						<code>{c.var.session?.projectId}</code>
					</dd>
					<dt>This key</dt>
					<dd>
						{c.var.session?.readOnly
							? "read-only"
							: c.var.session?.tenantBound
								? "tenant-bound"
								: "full access"}
					</dd>
				</dl>
				{license.ok ? null : <ErrorBox error={license.error} />}
			</Section>
			<Section title="Password policy" id="policy">
				{policy.ok ? (
					<dl class="facts">
						<dt>Minimum length</dt>
						<dd>{policy.data.minLength}</dd>
						<dt>Lowercase letter</dt>
						<dd>{yes(policy.data.lowercase)}</dd>
						<dt>Uppercase letter</dt>
						<dd>{yes(policy.data.uppercase)}</dd>
						<dt>Digit</dt>
						<dd>{yes(policy.data.number)}</dd>
						<dt>Other character</dt>
						<dd>{yes(policy.data.nonAlphanumeric)}</dd>
					</dl>
				) : (
					<ErrorBox error={policy.error} />
				)}
			</Section>
			<Section title="Not reachable with a management key" id="operator">
				<p>
					Session and refresh lifetimes, the lockout policy, changes to the password policy, the rate-limit
					tier and signing-key rotation belong to the operator API (
					<code>PATCH /v1/operator/projects/&#123;id&#125;</code>, guarded by <code>OPERATOR_KEY</code>). A
					management key cannot read or change them, so the console does not show them. Per-tenant session
					settings are on each tenant's page.
				</p>
			</Section>
		</>,
	);
}

export function registerSettingsPages(app: Hono<ConsoleEnv>) {
	app.get("/settings", (c) => settingsPage(c));
}
