// The console's page frame and shared pieces: landmarks, navigation, messages, CSRF-carrying forms.
import type { Child, FC, PropsWithChildren } from "hono/jsx";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { ApiError } from "./api-client";
import { CSRF_FIELD } from "./csrf";
import type { ConsoleSession } from "./session";

export const ASSET_BASE = "/assets/console";

export interface PageFrame {
	title: string;
	/** Which navigation entry is current. */
	section?: string;
	session?: ConsoleSession | null;
	csrf?: string;
	/** A success message (from a fixed list, never from the query string as text). */
	notice?: string;
	error?: ApiError | string | null;
}

export const NAV: { id: string; href: string; label: string }[] = [
	{ id: "users", href: "/console/users", label: "Users" },
	{ id: "tenants", href: "/console/tenants", label: "Tenants" },
	{ id: "roles", href: "/console/roles", label: "Roles & permissions" },
	{ id: "attributes", href: "/console/attributes", label: "Custom attributes" },
	{ id: "sso-apps", href: "/console/sso-apps", label: "SSO applications" },
	{ id: "identity-providers", href: "/console/identity-providers", label: "Identity providers" },
	{ id: "keys", href: "/console/keys", label: "Management keys" },
	{ id: "access-keys", href: "/console/access-keys", label: "Access keys" },
	{ id: "webhooks", href: "/console/webhooks", label: "Webhooks" },
	{ id: "activity", href: "/console/activity", label: "Activity" },
	{ id: "settings", href: "/console/settings", label: "Project settings" },
];

export const Layout: FC<PropsWithChildren<PageFrame>> = ({
	title,
	section,
	session,
	csrf,
	notice,
	error,
	children,
}) => (
	<html lang="en">
		<head>
			<meta charset="utf-8" />
			<meta name="viewport" content="width=device-width, initial-scale=1" />
			<meta name="referrer" content="same-origin" />
			<title>{`${title} · Roster console`}</title>
			<link rel="stylesheet" href={`${ASSET_BASE}/console.css`} />
			<script src={`${ASSET_BASE}/console.js`} defer />
		</head>
		<body>
			<a class="skip" href="#main">
				Skip to content
			</a>
			<header class="top">
				<span class="brand">Roster console</span>
				{session ? (
					<div class="who">
						<span>
							Project <code>{session.projectId}</code>
							{session.readOnly ? <span class="badge">read-only key</span> : null}
							{session.tenantBound ? <span class="badge">tenant-bound key</span> : null}
						</span>
						<form method="post" action="/console/sign-out" class="inline">
							<input type="hidden" name={CSRF_FIELD} value={csrf ?? ""} />
							<button type="submit" class="link">
								Sign out
							</button>
						</form>
					</div>
				) : null}
			</header>
			<div class="frame">
				{session ? (
					<nav aria-label="Console sections" class="side">
						<ul>
							{NAV.map((n) => (
								<li>
									<a href={n.href} aria-current={n.id === section ? "page" : undefined}>
										{n.label}
									</a>
								</li>
							))}
						</ul>
						<p class="side-foot">
							<a href="/docs">API reference</a>
						</p>
					</nav>
				) : null}
				<main id="main" tabindex={-1}>
					<h1>{title}</h1>
					{notice ? (
						<p class="notice" role="status">
							{notice}
						</p>
					) : null}
					{error ? <ErrorBox error={error} /> : null}
					{children}
				</main>
			</div>
		</body>
	</html>
);

export const ErrorBox: FC<{ error: ApiError | string }> = ({ error }) => {
	const e = typeof error === "string" ? { status: 0, code: "", message: error } : error;
	return (
		<div class="error" role="alert">
			<p>
				<strong>
					{e.status ? `The API refused this (${e.status}${e.code ? ` ${e.code}` : ""}):` : "Error:"}
				</strong>{" "}
				{e.message}
			</p>
		</div>
	);
};

/** A POST form carrying the CSRF token. */
export const PostForm: FC<
	PropsWithChildren<{ action: string; csrf: string; class?: string; confirm?: string }>
> = ({ action, csrf, children, confirm, ...rest }) => (
	<form method="post" action={action} class={rest.class} data-confirm={confirm}>
		<input type="hidden" name={CSRF_FIELD} value={csrf} />
		{children}
	</form>
);

/**
 * A one-button form (a row's Delete, a toolbar's Enable): its hidden fields, one submit button and,
 * when given, a confirmation the console script asks before sending.
 */
export const InlineAction: FC<
	PropsWithChildren<{
		action: string;
		csrf: string;
		fields: Record<string, string>;
		/** The button's class: "link" (in a row), "secondary", or "" (the default button). */
		kind?: string;
		label?: string;
		confirm?: string;
	}>
> = ({ action, csrf, fields, kind = "link", label, confirm, children }) => (
	<PostForm action={action} csrf={csrf} class="inline" confirm={confirm}>
		{Object.entries(fields).map(([name, value]) => (
			<input type="hidden" name={name} value={value} />
		))}
		<button type="submit" class={kind || undefined} aria-label={label}>
			{children}
		</button>
	</PostForm>
);

/** The "create one" section of a list page: its form, its fields and one submit button. */
export const CreateForm: FC<
	PropsWithChildren<{ title: string; action: string; csrf: string; submit: string }>
> = ({ title, action, csrf, submit, children }) => (
	<Section title={title} id="create">
		<PostForm action={action} csrf={csrf} class="grid">
			{children}
			<div class="actions">
				<button type="submit">{submit}</button>
			</div>
		</PostForm>
	</Section>
);

/** A labelled input. */
export const Field: FC<{
	label: string;
	name: string;
	value?: string;
	type?: string;
	required?: boolean;
	placeholder?: string;
	hint?: string;
	autocomplete?: string;
	id?: string;
}> = ({ label, name, value, type = "text", required, placeholder, hint, autocomplete, id }) => {
	const fieldId = id ?? `f-${name}`;
	return (
		<div class="field">
			<label for={fieldId}>{label}</label>
			<input
				id={fieldId}
				name={name}
				type={type}
				value={value ?? ""}
				required={required}
				placeholder={placeholder}
				autocomplete={autocomplete ?? "off"}
				aria-describedby={hint ? `${fieldId}-hint` : undefined}
			/>
			{hint ? (
				<small id={`${fieldId}-hint`} class="hint">
					{hint}
				</small>
			) : null}
		</div>
	);
};

/** A date the viewer's browser rewrites into local time (console.js); UTC ISO without script. */
export const Time: FC<{ ms: number | null | undefined }> = ({ ms }) => {
	if (!ms) return <span class="muted">never</span>;
	const iso = new Date(ms).toISOString();
	return <time datetime={iso}>{`${iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")}`}</time>;
};

export const Empty: FC<PropsWithChildren> = ({ children }) => <p class="empty">{children}</p>;

export const ReadOnlyNote: FC = () => (
	<p class="muted">This key is read-only: the forms that change data are hidden.</p>
);

export const Section: FC<PropsWithChildren<{ title: string; id?: string; extra?: Child }>> = ({
	title,
	id,
	children,
}) => (
	<section aria-labelledby={id ? `${id}-h` : undefined} class="card">
		<h2 id={id ? `${id}-h` : undefined}>{title}</h2>
		{children}
	</section>
);

/**
 * A list page's table: its column heads (a null one, such as Actions for a read-only key, is left
 * out) and a row per item, or what to say when there is none.
 */
export function Table<T>({
	head,
	rows,
	row,
	empty,
}: {
	head: (string | null)[];
	rows: T[];
	row: (item: T) => JSX.Element;
	empty: Child;
}) {
	if (rows.length === 0) return <Empty>{empty}</Empty>;
	return (
		<div class="table-wrap">
			<table>
				<thead>
					<tr>{head.map((h) => (h === null ? null : <th scope="col">{h}</th>))}</tr>
				</thead>
				<tbody>{rows.map(row)}</tbody>
			</table>
		</div>
	);
}

/** The link to the next page of a cursor-paged list, when there is one. */
export const NextPage: FC<{ path: string; cursor: string | null | undefined }> = ({ path, cursor }) =>
	cursor ? (
		<nav aria-label="Pages" class="pager">
			<a href={`${path}?cursor=${encodeURIComponent(cursor)}`} rel="next">
				Next
			</a>
		</nav>
	) : null;

/**
 * A secret shown once, right after it was made: its heading, why to copy it now (for a key Roster
 * keeps only the hash of, `hashed` says so first), and the value.
 */
export const ShownOnce: FC<
	PropsWithChildren<{
		title: Child;
		label: string;
		inputId: string;
		value: string;
		headingId?: string;
		hashed?: boolean;
	}>
> = ({ title, label, inputId, value, headingId = "created-h", hashed, children }) => (
	<section class="card secret" aria-labelledby={headingId}>
		<h2 id={headingId}>{title}</h2>
		<p>
			{hashed ? "Copy it now: it is shown only this once and Roster keeps only its hash." : null}
			{children}
		</p>
		<label for={inputId}>{label}</label>
		<input id={inputId} class="secret-value" readonly value={value} data-select-on-focus />
	</section>
);

/** A fieldset of checkboxes sharing one name (formAll reads them back). */
export const Checks: FC<{
	legend: string;
	name: string;
	/** Prefix of each box's id. */
	prefix: string;
	options: { key: string; value: string; label: Child; checked?: boolean }[];
	class?: string;
}> = ({ legend, name, prefix, options, ...rest }) => (
	<fieldset class={rest.class}>
		<legend>{legend}</legend>
		<div class="checks">
			{options.map((o) => (
				<div class="check">
					<input id={`${prefix}-${o.key}`} type="checkbox" name={name} value={o.value} checked={o.checked} />
					<label for={`${prefix}-${o.key}`}>{o.label}</label>
				</div>
			))}
		</div>
	</fieldset>
);

/** The tenant boxes of a key's create form (`tenantIds`), or nothing when the project has no tenant. */
export const TenantChecks: FC<{
	legend: string;
	prefix: string;
	tenants: { id: string; name: string }[];
}> = ({ legend, prefix, tenants }) =>
	tenants.length ? (
		<Checks
			class="span"
			legend={legend}
			name="tenantIds"
			prefix={prefix}
			options={tenants.map((t) => ({ key: t.id, value: t.id, label: t.name || t.id }))}
		/>
	) : null;

/** A row's first cell for a named thing: the name, its description in small type, then `children`. */
export const NameCell: FC<PropsWithChildren<{ name: string; description?: string }>> = ({
	name,
	description,
	children,
}) => (
	<td>
		{name}
		{description ? <small class="muted"> {description}</small> : null}
		{children}
	</td>
);
