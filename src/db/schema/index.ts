export * from "./projects";
export * from "./users";
