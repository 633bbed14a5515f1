// Progressive enhancement: suggestions under every search box, as an ARIA 1.2 combobox with a listbox popup
// (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/). Without JavaScript the form submits to the search page,
// and with it too whenever no suggestion is highlighted. Focus stays in the text box; aria-activedescendant tells
// assistive technology which suggestion is highlighted, and a polite status says how many there are.
(function () {
  "use strict";

  var DELAY_MS = 250; // wait for a pause in typing before asking
  var MIN_LENGTH = 2; // the endpoint answers nothing for less

  function enhance(form) {
    var input = form.querySelector("input[name=q]");
    if (!input || !input.id || !window.fetch || !window.AbortController) {
      return;
    }
    var endpoint = form.getAttribute("data-suggest");
    var wrapper = document.createElement("div");
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var timer = null;
    var pending = null;
    var suggestions = [];
    var active = -1;

    wrapper.className = "combobox";
    list.id = input.id + "-suggestions";
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", form.getAttribute("data-suggest-label"));
    list.hidden = true;
    // Out of the Tab order even when it scrolls (Chromium makes scrolling boxes tab stops): the arrow keys move
    // through it while focus stays in the text box.
    list.tabIndex = -1;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    form.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    // The browser's own list of earlier entries would cover ours.
    input.setAttribute("autocomplete", "off");

    function announce(count) {
      var message = count === 0 ? form.getAttribute("data-suggest-none")
        : count === 1 ? form.getAttribute("data-suggest-one")
        : form.getAttribute("data-suggest-many").replace("{count}", count);
      status.textContent = message;
    }

    function highlight(index) {
      var options = list.children;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({block: "nearest", inline: "nearest"});
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      highlight(-1);
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function cancel() {
      window.clearTimeout(timer);
      if (pending) {
        pending.abort();
        pending = null;
      }
    }

    function show(results) {
      suggestions = results;
      active = -1;
      list.textContent = "";
      results.forEach(function (result, index) {
        var option = document.createElement("li");
        var type = document.createElement("span");
        var separator = document.createElement("span");
        option.id = input.id + "-option-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.appendChild(document.createTextNode(result.title));
        separator.className = "visually-hidden";
        separator.textContent = ", ";
        if (result.subtitle) {
          // The short name lists show under the title: "Budapest Convention", an article's "CRC".
          var subtitle = document.createElement("span");
          subtitle.className = "combobox-type";
          subtitle.appendChild(separator.cloneNode(true));
          subtitle.appendChild(document.createTextNode(result.subtitle));
          option.appendChild(subtitle);
        }
        type.className = "combobox-type";
        type.appendChild(separator);
        type.appendChild(document.createTextNode(result.type));
        option.appendChild(type);
        list.appendChild(option);
      });
      announce(results.length);
      if (results.length) {
        open();
      } else {
        close();
      }
    }

    function ask() {
      var text = input.value.trim();
      cancel();
      if (text.length < MIN_LENGTH) {
        suggestions = [];
        list.textContent = "";
        status.textContent = "";
        close();
        return;
      }
      timer = window.setTimeout(function () {
        // An answer to an earlier text must never replace the answer to the current one: abort it.
        var controller = new AbortController();
        pending = controller;
        fetch(endpoint + "?q=" + encodeURIComponent(text), {
          headers: {Accept: "application/json"},
          signal: controller.signal
        }).then(function (response) {
          if (!response.ok) {
            throw new Error("suggestions unavailable");
          }
          return response.json();
        }).then(function (data) {
          if (pending === controller && document.activeElement === input) {
            pending = null;
            show(data.results);
          }
        }).catch(function () {
          // Aborted or failed: the form still submits to the search page.
          if (pending === controller) {
            pending = null;
          }
        });
      }, DELAY_MS);
    }

    function follow(index) {
      window.location.assign(suggestions[index].url);
    }

    function move(step) {
      if (!suggestions.length) {
        return;
      }
      open();
      // From the text box down to the first suggestion or up to the last, then round again through the text box.
      var next = active + step;
      if (next < -1) {
        next = suggestions.length - 1;
      } else if (next >= suggestions.length) {
        next = -1;
      }
      highlight(next);
    }

    input.addEventListener("input", ask);
    input.addEventListener("keydown", function (event) {
      if (event.altKey && event.key === "ArrowDown" && suggestions.length) {
        event.preventDefault();
        open();
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        follow(active);
      } else if (event.key === "Escape") {
        // The first Escape closes the list, the next clears the box (a search field would clear at once).
        event.preventDefault();
        cancel();
        if (!list.hidden) {
          close();
        } else {
          input.value = "";
          suggestions = [];
          list.textContent = "";
          status.textContent = "";
        }
      }
    });
    input.addEventListener("blur", function () {
      cancel();
      close();
    });
    // A page left by following a suggestion may come back from the back/forward cache: with the list closed.
    window.addEventListener("pagehide", close);
    // Keep focus in the text box while a suggestion is pressed, so the blur above does not close the list first.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        follow(Array.prototype.indexOf.call(list.children, option));
      }
    });
  }

  document.querySelectorAll("form[data-suggest]").forEach(enhance);
})();
