import { DESCOPE_OPENAPI_PATH } from "../descope/app";
import { OPERATOR_OPENAPI_PATH } from "../operator/app";
import { PARTNER_OPENAPI_PATH } from "../partner/app";
import { SCIM_OPENAPI_PATH } from "../scim/app";
import { V4_OPENAPI_PATH } from "../v4/app";

// The dialects with an interactive reference at /docs/<id> and a Postman collection
// (docs/api-reference.md). A new dialect with an OpenAPI document is one more entry here.

export interface PostmanVariable {
	key: string;
	value: string;
	description: string;
}

export interface ReferenceDialect {
	id: string;
	title: string;
	description: string;
	/** Where the dialect serves its OpenAPI document. */
	document: string;
	/**
	 * The Authorization header of each security scheme of the document, with Postman `{{variables}}`;
	 * the first is the collection's default.
	 */
	credentials: Record<string, string>;
	variables: PostmanVariable[];
}

const projectId: PostmanVariable = {
	key: "projectId",
	value: "",
	description: "The project id (P…), from POST /v1/operator/projects",
};
const managementKey: PostmanVariable = {
	key: "managementKey",
	value: "",
	description: "A management key of the project (shown once when it is made)",
};

export const REFERENCE_DIALECTS: readonly ReferenceDialect[] = [
	{
		id: "descope",
		title: "Descope-compatible management and auth API",
		description: "What @descope/node-sdk calls: users, tenants, roles, SSO apps, keys, audit, sign-in",
		document: DESCOPE_OPENAPI_PATH,
		credentials: {
			ManagementKey: "Bearer {{projectId}}:{{managementKey}}",
			ProjectId: "Bearer {{projectId}}",
			RefreshToken: "Bearer {{projectId}}:{{refreshJwt}}",
		},
		variables: [
			projectId,
			managementKey,
			{
				key: "refreshJwt",
				value: "",
				description: "A refresh JWT from a sign-in, for the end-user routes that need one",
			},
		],
	},
	{
		id: "v4",
		title: "REST v4 users API (JSON:API)",
		description: "The users resource and default profiles, application/vnd.api+json",
		document: V4_OPENAPI_PATH,
		credentials: { Apikey: "Apikey {{managementKey}}" },
		variables: [managementKey],
	},
	{
		id: "partner",
		title: "Partner API",
		description: "Webhooks and their deliveries: PascalCase JSON, RFC 9457 problem details (docs/partner.md)",
		document: PARTNER_OPENAPI_PATH,
		credentials: { Bearer: "Bearer {{managementKey}}" },
		variables: [managementKey],
	},
	{
		id: "scim",
		title: "SCIM 2.0",
		description:
			"Users and Groups provisioning for Microsoft Entra ID and Okta (RFC 7643, RFC 7644), application/scim+json (docs/scim.md)",
		document: SCIM_OPENAPI_PATH,
		credentials: { Bearer: "Bearer {{managementKey}}" },
		variables: [
			{
				...managementKey,
				description:
					"A management key of the project; one bound to a tenant provisions that tenant (docs/scim.md)",
			},
		],
	},
	{
		id: "operator",
		title: "Operator API",
		description: "Projects, their settings and first keys, guarded by the OPERATOR_KEY secret",
		document: OPERATOR_OPENAPI_PATH,
		credentials: { OperatorKey: "Bearer {{operatorKey}}" },
		variables: [
			{ key: "operatorKey", value: "", description: "The Worker's OPERATOR_KEY secret" },
			projectId,
		],
	},
];

export const dialectById = (id: string) => REFERENCE_DIALECTS.find((d) => d.id === id);
