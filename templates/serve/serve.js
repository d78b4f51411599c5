// lettre serve: keep the page in step with the folder. The server says on /events when
// the folder changed; the page then fetches itself again and swaps the parts that differ.
// The letter's frames load again only when its HTML changed (its digest is in their URL).
"use strict";
(() => {
  const root = document.documentElement;
  const status = document.getElementById("status");
  let busy = false;
  let again = false;

  function fit(frame) {
    // the letter runs no script: the page sizes its frame to the letter's height
    try {
      const doc = frame.contentDocument;
      if (doc && doc.documentElement && frame.getAttribute("src") !== "about:blank") {
        frame.style.height = doc.documentElement.scrollHeight + "px";
      }
    } catch (err) {
      // a frame that is not ours: leave its height
    }
  }

  function watchFrames() {
    for (const frame of document.querySelectorAll("iframe.letter")) {
      frame.addEventListener("load", () => fit(frame));
      fit(frame);
    }
  }

  function sync(part, fresh) {
    if (part.id === "frames") {
      part.hidden = fresh.hidden;
      for (const frame of fresh.querySelectorAll("iframe")) {
        const current = document.getElementById(frame.id);
        const src = frame.getAttribute("src");
        if (current && current.getAttribute("src") !== src && src !== "about:blank") {
          current.setAttribute("src", src);
        }
      }
    } else if (part.outerHTML !== fresh.outerHTML) {
      // what the reader opened (the headers) stays open
      const opened = Array.from(part.querySelectorAll("details"), (d) => d.open);
      const copy = document.importNode(fresh, true);
      copy.querySelectorAll("details").forEach((d, i) => {
        if (opened[i]) d.open = true;
      });
      part.replaceWith(copy);
    }
  }

  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const response = await fetch(location.pathname, { cache: "no-store" });
      if (response.redirected) {
        location.replace(response.url);
        return;
      }
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const part of fresh.querySelectorAll("[data-part]")) {
        const current = document.getElementById(part.id);
        if (current) sync(current, part);
      }
      document.title = fresh.title;
      root.dataset.version = fresh.documentElement.dataset.version;
    } catch (err) {
      status.textContent = status.dataset.unreachable || "cannot reach lettre serve";
    } finally {
      busy = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  const events = new EventSource("/events");
  events.addEventListener("open", () => {
    status.textContent = status.dataset.live || "live";
    status.className = "status live";
  });
  events.addEventListener("version", (event) => {
    if (event.data !== root.dataset.version) refresh();
  });
  events.addEventListener("error", () => {
    status.textContent = status.dataset.reconnecting || "reconnecting…";
    status.className = "status lost";
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const link = { ArrowLeft: "previous", ArrowRight: "next" }[event.key];
    const target = link && document.getElementById(link);
    if (target) target.click();
  });

  watchFrames();
})();
