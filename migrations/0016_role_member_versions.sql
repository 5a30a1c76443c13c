-- A role's version (SCIM Group meta.version, docs/scim.md) moves on whenever its members change,
-- whatever path changes them: assignments, user creates and overwrites, batch writes, and the
-- cascades of deleting a user or a tenant. Ignored inserts (INSERT OR IGNORE of a held role) and
-- deletes of nothing fire nothing, so a write that changes no membership keeps the version.
CREATE TRIGGER `user_roles_insert_role_version` AFTER INSERT ON `user_roles` BEGIN
	UPDATE `roles` SET `version` = `version` + 1, `modified_at` = CAST(unixepoch('subsec') * 1000 AS INTEGER)
	WHERE `id` = new.role_id;
END;
--> statement-breakpoint
CREATE TRIGGER `user_roles_delete_role_version` AFTER DELETE ON `user_roles` BEGIN
	UPDATE `roles` SET `version` = `version` + 1, `modified_at` = CAST(unixepoch('subsec') * 1000 AS INTEGER)
	WHERE `id` = old.role_id;
END;
