// Roster console: small progressive enhancements; every page works without this file.
(() => {
	// Dates in the viewer's local time; the server renders UTC ISO as the fallback.
	const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
	for (const el of document.querySelectorAll("time[datetime]")) {
		const d = new Date(el.getAttribute("datetime"));
		if (!Number.isNaN(d.getTime())) {
			el.title = el.getAttribute("datetime");
			el.textContent = format.format(d);
		}
	}
	// Destructive forms ask first.
	document.addEventListener("submit", (event) => {
		const form = event.target;
		const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
		if (question && !window.confirm(question)) event.preventDefault();
	});
	// A secret shown once is selected when focused, ready to copy.
	for (const el of document.querySelectorAll("[data-select-on-focus]")) {
		el.addEventListener("focus", () => el.select());
	}
})();
