// Diagrams without a CDN, and without 3.5 MB of Mermaid on pages that have none.
//
// Material for MkDocs draws each ```mermaid block with the global `mermaid` (initialize(),
// then render(id, text) for each diagram); when there is no such global it fetches Mermaid
// from unpkg.com. This stand-in is that global: on the first render() it loads the site's
// own copy (vendor/mermaid/mermaid.min.js, pinned in package.json, copied into the site by
// tools/site_assets.py), which then replaces the stand-in. See docs/site.md.
(() => {
  const source = new URL("../vendor/mermaid/mermaid.min.js", document.currentScript.src).href;
  let settings = {};
  let loading = null;
  const load = () => {
    loading ??= new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = source;
      script.onload = () => resolve(window.mermaid);
      script.onerror = () => reject(new Error(`cannot load ${source}`));
      document.head.appendChild(script);
    });
    return loading;
  };
  window.mermaid = {
    initialize(options) {
      settings = options;
    },
    async render(id, text) {
      const mermaid = await load();
      mermaid.initialize(settings);
      return mermaid.render(id, text);
    },
  };
})();
