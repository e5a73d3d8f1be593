// The API docs page loads nothing from other sites. Redoc's side menu shows an "API docs by
// Redocly" logo fetched from its CDN; the page's Content-Security-Policy would refuse it (and log
// a violation in the console), so no request is made for it at all: an image source on another
// site is dropped before the browser sees it, whether set as an attribute or as a property.
// Loaded before Redoc, from this origin (the page allows no inline script).
(() => {
  const elsewhere = (value) => {
    const url = new URL(String(value), document.baseURI);
    return url.protocol !== "data:" && url.protocol !== "blob:" && url.origin !== window.location.origin;
  };
  const image = HTMLImageElement.prototype;
  const setAttribute = Element.prototype.setAttribute;
  image.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === "src" && elsewhere(value)) return;
    setAttribute.call(this, name, value);
  };
  const src = Object.getOwnPropertyDescriptor(image, "src");
  Object.defineProperty(image, "src", {
    ...src,
    set(value) {
      if (!elsewhere(value)) src.set.call(this, value);
    },
  });
})();
