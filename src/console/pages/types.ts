// The API's wire shapes the console reads (docs/descope-compat.md).
export interface WireUser {
	userId: string;
	loginIds: string[];
	name: string;
	givenName: string;
	middleName: string;
	familyName: string;
	email: string;
	phone: string;
	verifiedEmail: boolean;
	verifiedPhone: boolean;
	roleNames: string[];
	userTenants: { tenantId: string; tenantName: string; roleNames: string[] }[];
	status: string;
	picture: string;
	test: boolean;
	customAttributes: Record<string, unknown>;
	createdTime: number;
	webauthn: boolean;
	password: boolean;
	ssoAppIds: string[];
	permissions: string[];
}

export interface WireTenant {
	id: string;
	name: string;
	selfProvisioningDomains: string[];
	customAttributes: Record<string, unknown>;
	createdTime: number;
	disabled: boolean;
	enforceSSO: boolean;
	parent: string;
	defaultRoles: string[];
	roleInheritance: string;
}

export interface WireRole {
	id: string;
	name: string;
	description: string;
	permissionNames: string[];
	createdTime: number;
	tenantId: string;
	default: boolean;
	private: boolean;
}

export interface WirePermission {
	name: string;
	description: string;
}

export interface WireAttribute {
	name: string;
	type: number;
	displayName: string;
	options: { value: string; label: string }[];
	defaultValue: unknown;
}

export const ATTRIBUTE_TYPES: Record<number, string> = {
	1: "string",
	2: "number",
	3: "boolean",
	4: "single select",
	5: "array",
	6: "date",
};

export interface WireAudit {
	ID: string;
	userId: string;
	action: string;
	occurred: number;
	device: string;
	method: string;
	geo: string;
	city: string;
	remoteAddress: string;
	externalIds: string[];
	tenants: string[];
	actorType: string;
	actorId: string;
	actorName: string;
	targetType: string;
	targetId: string;
	result: string;
	dialect: string;
	data: Record<string, unknown>;
}
