import { expect, it } from "vitest";
import { baseUrl, expectOk, newProject, sdkFor } from "./harness.js";

it("the Worker answers GET /health", async () => {
	const res = await fetch(`${baseUrl()}/health`);
	expect(res.status, await res.clone().text()).toBe(200);
});

it("the operator API creates a project whose key the SDK accepts", async () => {
	const project = await newProject();
	expect(project.projectId).toMatch(/^P[A-Za-z0-9]{27}$/);
	const res = await sdkFor(project).management.user.search({});
	expectOk(res);
});
