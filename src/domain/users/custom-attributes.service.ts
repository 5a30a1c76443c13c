import { customAttributeTypes } from "../../db/schema";
import { all, batch } from "../../db/sql";
import { changesOf, commit, removedFields } from "../commit";
import type { Deps } from "../deps";
import { invalid } from "../errors";
import { checkCount, checkJsonValue, checkLength } from "../input-limits";
import { MAX_NAME_LENGTH } from "../limits";
import { projectRead } from "../scope";
import * as repo from "./custom-attributes.repo";
import { ATTRIBUTE_NAME } from "./user.validate";

export type AttributeDefinition = repo.AttributeDefinition;

export interface AttributeDefinitionInput {
	name: string;
	displayName?: string;
	type: number | string;
	options?: { value: string; label?: string }[];
	defaultValue?: unknown;
}

// Other SDKs send the type by name; the node SDK sends the number.
const TYPE_NAMES: Record<string, number> = {
	string: customAttributeTypes.string,
	text: customAttributeTypes.string,
	number: customAttributeTypes.number,
	numeric: customAttributeTypes.number,
	boolean: customAttributeTypes.boolean,
	singleselect: customAttributeTypes.singleSelect,
	array: customAttributeTypes.array,
	multiselect: customAttributeTypes.array,
	date: customAttributeTypes.date,
};
const TYPE_NUMBERS = new Set<number>(Object.values(customAttributeTypes));

function toType(type: number | string, field: string): number {
	const value = typeof type === "number" ? type : (TYPE_NAMES[type.toLowerCase()] ?? Number(type));
	if (!TYPE_NUMBERS.has(value)) {
		throw invalid(
			field,
			`unknown type "${type}" (1 string, 2 number, 3 boolean, 4 singleSelect, 5 array, 6 date)`,
		);
	}
	return value;
}

// A project-level object a tenant-bound key may read (docs/management-keys.md).
export const listDefinitions = (deps: Deps, projectId: string) =>
	repo.listDefinitionsQuery(projectRead(deps).db, projectId).all();

/** Creates definitions (an existing name is redefined) and returns the project's full list. */
export async function createDefinitions(deps: Deps, projectId: string, inputs: AttributeDefinitionInput[]) {
	if (inputs.length === 0) throw invalid("attributes", "at least one attribute is required");
	if (inputs.length > 500) throw invalid("attributes", "at most 500 attributes per request");
	const now = deps.now();
	const names = new Set<string>();
	const rows = inputs.map((a, i): AttributeDefinition => {
		if (!ATTRIBUTE_NAME.test(a.name)) {
			throw invalid(
				`attributes[${i}].name`,
				"must start with a letter or _ and hold only letters, digits, _ and -",
			);
		}
		// JSON parsing drops an own "__proto__" key, so values under this name could never be set.
		if (a.name === "__proto__") throw invalid(`attributes[${i}].name`, `"__proto__" is reserved`);
		checkLength(`attributes[${i}].displayName`, a.displayName, MAX_NAME_LENGTH);
		checkCount(`attributes[${i}].options`, a.options);
		for (const [j, o] of (a.options ?? []).entries()) {
			checkLength(`attributes[${i}].options[${j}].value`, o.value, MAX_NAME_LENGTH);
			checkLength(`attributes[${i}].options[${j}].label`, o.label, MAX_NAME_LENGTH);
		}
		checkJsonValue(`attributes[${i}].defaultValue`, a.defaultValue);
		if (names.has(a.name)) throw invalid(`attributes[${i}].name`, `"${a.name}" appears twice`);
		names.add(a.name);
		return {
			projectId,
			name: a.name,
			displayName: a.displayName || a.name,
			type: toType(a.type, `attributes[${i}].type`),
			options: (a.options ?? []).map((o) => ({ value: o.value, label: o.label ?? o.value })),
			defaultValue: a.defaultValue ?? null,
			createdAt: now,
		};
	});
	// What each name was, for the change rows: an existing name is redefined, not created anew.
	const current = await all<Record<string, unknown>>(deps.d1, repo.listDefinitionsSql(projectId));
	const before = new Map(repo.toDefinitionRows(current).map((d) => [d.name, d]));
	const { reads } = await commit(deps, projectId, {
		statements: [repo.upsertDefinitionsSql(rows)],
		entries: rows.map((row) => {
			const old = before.get(row.name);
			return {
				action: "attribute.created",
				target: { type: "attribute", id: row.name },
				changes: changesOf(old ? recorded(old) : {}, recorded(row)),
				...(old ? { data: { redefined: true } } : {}),
			};
		}),
		reads: [repo.listDefinitionsSql(projectId)],
	});
	return repo.toDefinitionRows(reads[0]);
}

/** The fields a change row shows for a definition. */
const recorded = (d: AttributeDefinition) => ({
	name: d.name,
	displayName: d.displayName,
	type: d.type,
	options: d.options,
	defaultValue: d.defaultValue,
});

/** Deletes definitions, removes their values from every user, and returns the remaining list. */
export async function deleteDefinitions(deps: Deps, projectId: string, names: string[]) {
	if (names.length === 0) throw invalid("names", "at least one name is required");
	if (names.length > 50) throw invalid("names", "at most 50 names per request");
	const [current, holders] = await batch(deps.d1, [
		repo.listDefinitionsSql(projectId),
		repo.holdersSql(projectId, names),
	]);
	const wanted = new Set(names);
	const deleted = repo.toDefinitionRows(current).filter((d) => wanted.has(d.name));
	const held = new Map((holders ?? []).map((h) => [h.name as string, Number(h.n)]));
	const { reads } = await commit(deps, projectId, {
		statements: repo.deleteDefinitionsSql(projectId, names, deps.now()),
		entries: deleted.map((d) => ({
			action: "attribute.deleted",
			target: { type: "attribute", id: d.name },
			changes: removedFields(recorded(d)),
			// Every user's value goes with the definition, in the same batch.
			data: { holders: held.get(d.name) ?? 0 },
		})),
		reads: [repo.listDefinitionsSql(projectId)],
	});
	return repo.toDefinitionRows(reads[0]);
}
