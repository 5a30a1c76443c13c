export * from "./activity";
export * from "./authz";
export * from "./credentials";
export * from "./guards";
export * from "./projects";
export * from "./users";
export * from "./webhooks";
