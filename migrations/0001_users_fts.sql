-- Free-text user search (`text` in Descope search v2): a trigram FTS5 index over the fields
-- people search by. The project id leads every document, so a match is narrowed to one project
-- by the index itself. Rows are keyed by users.rowid and kept in step by triggers.
CREATE VIRTUAL TABLE `users_fts` USING fts5(`body`, tokenize = 'trigram');
--> statement-breakpoint
CREATE TRIGGER `users_fts_insert` AFTER INSERT ON `users` BEGIN
	INSERT INTO `users_fts` (rowid, body) VALUES (new.rowid, new.project_id || ' ' || new.login_ids || ' ' ||
		coalesce(new.name, '') || ' ' || coalesce(new.given_name, '') || ' ' || coalesce(new.middle_name, '') || ' ' ||
		coalesce(new.family_name, '') || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.phone, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `users_fts_update` AFTER UPDATE OF `login_ids`, `name`, `given_name`, `middle_name`, `family_name`,
	`email`, `phone` ON `users` BEGIN
	DELETE FROM `users_fts` WHERE rowid = old.rowid;
	INSERT INTO `users_fts` (rowid, body) VALUES (new.rowid, new.project_id || ' ' || new.login_ids || ' ' ||
		coalesce(new.name, '') || ' ' || coalesce(new.given_name, '') || ' ' || coalesce(new.middle_name, '') || ' ' ||
		coalesce(new.family_name, '') || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.phone, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `users_fts_delete` AFTER DELETE ON `users` BEGIN
	DELETE FROM `users_fts` WHERE rowid = old.rowid;
END;
