// Sign-in: a project id and a management key, checked by calling the API with them.
import type { FC } from "hono/jsx";
import { CSRF_FIELD } from "../csrf";
import { ErrorBox } from "../layout";

export const SignInPage: FC<{ csrf: string; projectId?: string; error?: string }> = ({
	csrf,
	projectId,
	error,
}) => (
	<div class="signin">
		<p>
			Sign in with a project id and one of its management keys. The console calls Roster's management API with
			them, so it can do exactly what the key can.
		</p>
		{error ? <ErrorBox error={error} /> : null}
		<form method="post" action="/console/sign-in" class="card">
			<input type="hidden" name={CSRF_FIELD} value={csrf} />
			<div class="field">
				<label for="projectId">Project id</label>
				<input
					id="projectId"
					name="projectId"
					required
					autocomplete="username"
					spellcheck={false}
					value={projectId ?? ""}
					placeholder="P…"
				/>
			</div>
			<div class="field">
				<label for="managementKey">Management key</label>
				<input
					id="managementKey"
					name="managementKey"
					type="password"
					required
					autocomplete="current-password"
					placeholder="rk_…"
				/>
			</div>
			<button type="submit">Sign in</button>
		</form>
		<p class="muted">
			The key is kept only in an encrypted, HttpOnly cookie for 8 hours. <code>npm run dev</code> prints a
			demo project's id and key.
		</p>
	</div>
);
