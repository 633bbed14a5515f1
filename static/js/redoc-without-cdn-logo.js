// ReDoc's side menu ends with "API docs by Redocly" and Redocly's logo, which it always asks of Redocly's CDN
// (ReDoc 2 has no option to leave it out). The site's policy refuses that request and the browser reports the
// refusal as an error. Loaded before ReDoc, this turns giving an image that one address into the "error" the
// refusal would have caused, without the request: ReDoc then drops the image, as it does whenever the logo cannot
// load, and keeps the link text. Every other image, and every other attribute, is set as usual.
(function () {
  "use strict";
  var LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  var source = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  var setAttribute = Element.prototype.setAttribute;

  function refuse(image) {
    // After the render that created the image, like a real load error.
    window.setTimeout(function () {
      image.dispatchEvent(new Event("error"));
    }, 0);
  }

  // ReDoc's React sets the address as a property; setAttribute is covered in case a later build uses it.
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: source.enumerable,
    get: source.get,
    set: function (value) {
      if (String(value) === LOGO) {
        refuse(this);
      } else {
        source.set.call(this, value);
      }
    }
  });
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" && String(value) === LOGO) {
      refuse(this);
    } else {
      setAttribute.call(this, name, value);
    }
  };
})();
