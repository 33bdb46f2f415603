// Run from source (--package): the top bar's "live from <folder>" mark on a page served from its
// folder as it is, and the page area's report of a folder that does not load. Both are drawn by
// the chrome from the view alone, outside the content frame: a page can neither draw, hide nor
// read them (it is on another origin, and nothing of the view reaches it).
import { problemLine, type View } from "./view";

export interface LiveElements {
  mark: HTMLElement;
  markText: HTMLElement;
  view: HTMLElement;
  folder: HTMLElement;
  problems: HTMLElement;
}

/** markLive shows the mark for a page view served live, and hides it for every other view. */
export function markLive(el: LiveElements, v: View): void {
  const folder = v.kind === "page" && v.live ? v.live : "";
  el.markText.textContent = folder ? `live from ${folder}` : "";
  el.mark.title = folder ? `This page is served as it is from ${folder}, not from an installed package` : "";
  el.mark.hidden = !folder;
}

/**
 * showBroken fills the page area's report with what `loginshell check` says of the folders that
 * do not load, one labelled line per problem as check prints them, and says whether there is
 * one to show (the caller shows the report in place of the view).
 */
export function showBroken(doc: Document, el: LiveElements, v: View): boolean {
  const broken = v.broken ?? [];
  if (broken.length === 0) return false;
  el.folder.textContent = broken.map((b) => (b.name ? `${b.name} in ${b.folder}` : b.folder)).join("; ");
  el.problems.replaceChildren(
    ...broken.flatMap((b) =>
      (b.problems ?? []).map((p) => {
        const li = doc.createElement("li");
        li.textContent = problemLine(p);
        li.dataset.severity = p.severity;
        return li;
      }),
    ),
  );
  return true;
}
