// Copies browser bundles from node_modules into public/assets/vendor/ (gitignored), so the Worker
// serves them as static assets and no page loads anything from a CDN. Runs after every `npm install`.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "public", "assets", "vendor");

/** [source under node_modules, name under public/assets/vendor] */
const BUNDLES = [["@scalar/api-reference/dist/browser/standalone.js", "scalar-api-reference.js"]];

mkdirSync(vendor, { recursive: true });
for (const [source, name] of BUNDLES) {
	const from = join(root, "node_modules", source);
	// A production install without devDependencies has nothing to vendor: the reference pages say so.
	if (!existsSync(from)) continue;
	copyFileSync(from, join(vendor, name));
}
