// Progressive enhancement: a "Copy" button beside read-only text meant for copying (citations).
// Without JavaScript the text stays selectable in its field.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-copy]").forEach(function (field) {
    if (!navigator.clipboard) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    // The field names its button ("Copy the citation of the instrument") when a page has more than one.
    button.textContent = field.dataset.copy || "Copy citation";
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    status.className = "copy-status";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = " Copied.";
      }, function () {
        field.select();
        status.textContent = " Press Ctrl+C to copy.";
      });
    });
    field.insertAdjacentElement("afterend", status);
    field.insertAdjacentElement("afterend", button);
  });
})();
