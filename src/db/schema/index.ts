export * from "./authz";
export * from "./projects";
export * from "./users";
