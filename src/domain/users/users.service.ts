// The user services, one module per concern; importers use this one.
export * from "./user.create";
export * from "./user.create-record";
export * from "./user.delete";
export * from "./user.patch";
export * from "./user.patch-batch";
export * from "./user.read";
export * from "./user.update";
export { MAX_BATCH } from "./users.shared";
