-- Login ids shaped like a user id ("U" + 27 letters or digits, any case) are refused from now on,
-- and a value of that shape always resolves as a user id. Earlier rows of that shape are listed
-- here for the operator (GET /v1/operator/projects/{id}/login-id-conflicts); they stay on their
-- user but no longer address it.
INSERT OR IGNORE INTO `login_id_conflicts` (`project_id`, `login_id`, `user_id`, `found_at`)
SELECT `project_id`, `login_id`, `user_id`, CAST(unixepoch('subsec') * 1000 AS INTEGER)
FROM `user_login_ids`
WHERE length(`login_id`) = 28
	AND lower(substr(`login_id`, 1, 1)) = 'u'
	AND substr(`login_id`, 2) NOT GLOB '*[^0-9A-Za-z]*';
