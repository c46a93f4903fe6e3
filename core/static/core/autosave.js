/* Autosave for the application editor, and a safety copy of what was typed.
 *
 * htmx posts a section form (hx-post, hx-trigger on typing) and swaps the
 * server's status fragment in. This script adds what htmx cannot know:
 *  - every value typed into a form marked data-keep is copied at once into
 *    localStorage (per application, form and field) and dropped only when the
 *    server answers that it saved exactly that value;
 *  - an answer that is not our fragment (401 after the session ended, a login
 *    page after a redirect, a 5xx, no network) leaves the page alone and says
 *    that the text is kept in this browser, with a link to log in again;
 *  - on page load, kept values are put back into their fields and saved.
 * The CSRF token is read from the cookie at each request, so logging in again
 * in another tab does not break this page's saves.
 */
(function () {
  "use strict";

  var FRAGMENT_HEADER = "X-Grantownik-Fragment";
  var SKIP = { csrfmiddlewaretoken: true };

  function editorRoot() {
    return document.querySelector("[data-application]");
  }

  function storageKey() {
    var root = editorRoot();
    return root ? "grantownik:unsaved:" + root.getAttribute("data-application") : null;
  }

  function loadKept() {
    var key = storageKey();
    if (!key) return {};
    try {
      return JSON.parse(window.localStorage.getItem(key) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function storeKept(kept) {
    var key = storageKey();
    if (!key) return;
    Object.keys(kept).forEach(function (formKey) {
      if (!Object.keys(kept[formKey]).length) delete kept[formKey];
    });
    try {
      if (Object.keys(kept).length) {
        window.localStorage.setItem(key, JSON.stringify(kept));
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (e) {
      /* Storage full or disabled: the server copy is all there is. */
    }
  }

  function keepable(field) {
    return (
      field && field.name && !SKIP[field.name] && field.form &&
      field.form.hasAttribute("data-keep") &&
      ["file", "submit", "button", "hidden", "password"].indexOf(field.type) < 0
    );
  }

  function readValue(form, name) {
    var field = form.elements[name];
    if (!field) return null;
    if (field instanceof RadioNodeList || (field.length && !field.tagName)) {
      return field.value || "";
    }
    if (field.type === "checkbox") return field.checked ? (field.value || "on") : "";
    if (field.type === "radio") return field.checked ? field.value : "";
    return field.value;
  }

  function writeValue(form, name, value) {
    var field = form.elements[name];
    if (!field) return;
    if (field instanceof RadioNodeList || (field.length && !field.tagName)) {
      Array.prototype.forEach.call(field, function (option) {
        if (option.type === "radio" || option.type === "checkbox") {
          option.checked = option.value === value;
        }
      });
      return;
    }
    if (field.type === "checkbox") {
      field.checked = value !== "";
    } else {
      field.value = value;
    }
  }

  function remember(event) {
    var field = event.target;
    if (!keepable(field)) return;
    var form = field.form;
    var kept = loadKept();
    var formKey = form.getAttribute("data-keep");
    kept[formKey] = kept[formKey] || {};
    kept[formKey][field.name] = readValue(form, field.name);
    storeKept(kept);
  }

  function statusFor(form) {
    var id = form && form.getAttribute("data-status");
    return id ? document.getElementById(id) : null;
  }

  function showTemplate(form, templateId) {
    var status = statusFor(form);
    var template = document.getElementById(templateId);
    if (!status || !template) return;
    status.innerHTML = "";
    status.appendChild(template.content.cloneNode(true));
  }

  function showingFailure(form) {
    var status = statusFor(form);
    return !!(status && status.querySelector(".offline-notice"));
  }

  function showFailure(form) {
    // Left as it is when already shown: replacing it could pull the “log in
    // again” link away from under a pointer or the keyboard focus.
    if (!showingFailure(form)) showTemplate(form, "autosave-failed");
  }

  function forgetSaved(form, sent) {
    var kept = loadKept();
    var formKey = form.getAttribute("data-keep");
    var values = kept[formKey];
    if (!values) return;
    Object.keys(values).forEach(function (name) {
      var value = sent ? sent.get(name) : null;
      // Only what the server has now may go; later typing stays kept.
      if ((value === null ? "" : String(value)) === values[name]) delete values[name];
    });
    storeKept(kept);
  }

  function csrfFromCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function restore(root) {
    if (!editorRoot()) return;
    var kept = loadKept();
    var restoredAny = false;
    var forms = root.matches && root.matches("form[data-keep]") ? [root] : [];
    forms = forms.concat(Array.prototype.slice.call(root.querySelectorAll("form[data-keep]")));
    forms.forEach(function (form) {
      var values = kept[form.getAttribute("data-keep")];
      if (!values) return;
      var changed = false;
      Object.keys(values).forEach(function (name) {
        if (!form.elements[name]) return;
        if (readValue(form, name) !== values[name]) {
          writeValue(form, name, values[name]);
          changed = true;
        } else if (form.hasAttribute("data-autosave")) {
          delete values[name];
        }
      });
      if (changed) {
        restoredAny = true;
        showTemplate(form, "autosave-restored-status");
        if (form.hasAttribute("data-autosave") && window.htmx) {
          window.htmx.trigger(form, "restored");
        }
      }
    });
    storeKept(kept);
    if (restoredAny) {
      var notice = document.getElementById("restored-notice");
      if (notice) notice.hidden = false;
    }
  }

  document.addEventListener("click", function (event) {
    // “Cancel” on a row: what was typed there is given up on purpose.
    var link = event.target.closest && event.target.closest("[data-forget]");
    if (!link) return;
    var kept = loadKept();
    delete kept[link.getAttribute("data-forget")];
    storeKept(kept);
  });

  document.addEventListener("input", remember, true);
  document.addEventListener("change", remember, true);

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfFromCookie();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    if (event.detail.parameters.csrfmiddlewaretoken !== undefined) {
      event.detail.parameters.csrfmiddlewaretoken = token;
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (form && form.hasAttribute && form.hasAttribute("data-autosave") && !showingFailure(form)) {
      showTemplate(form, "autosave-saving");
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig || {};
    var form = config.elt;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-keep")) return;
    var marker = event.detail.xhr.getResponseHeader(FRAGMENT_HEADER);
    if (marker === "saved") {
      forgetSaved(form, config.formData);
    } else if (marker !== "invalid" && marker !== "conflict") {
      // Not our answer: most likely a login page or an error page. Keep the
      // page (and the kept copy) as it is.
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      showFailure(form);
    }
  });

  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var form = event.detail.requestConfig && event.detail.requestConfig.elt;
      if (form && form.hasAttribute && form.hasAttribute("data-keep")) showFailure(form);
    });
  });

  function syncInvalid() {
    // Field messages arrive out of band; mark their inputs to match, so the
    // state is announced and the border turns red.
    document.querySelectorAll(".field-errors[id^='err-']").forEach(function (box) {
      var invalid = box.textContent.trim() !== "";
      document.querySelectorAll('[aria-describedby~="' + box.id + '"]').forEach(function (input) {
        if (invalid) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    });
  }

  document.addEventListener("htmx:afterSettle", syncInvalid);

  document.addEventListener("htmx:afterSettle", function (event) {
    // Move focus into new content only if the person has not moved on: a
    // late answer must not pull the cursor out of the field being typed in.
    var swapped = event.target;
    var active = document.activeElement;
    if (!swapped || !swapped.querySelector) return;
    if (active && active !== document.body && !swapped.contains(active)) return;
    var target =
      swapped.querySelector("[data-error-summary][data-focus]") ||
      swapped.querySelector("[data-focus-after-swap]");
    if (target) target.focus();
  });

  document.addEventListener("htmx:load", function (event) {
    // Row forms arrive later (an “edit” click); give them their kept values too.
    if (event.detail.elt !== document.body) restore(event.detail.elt);
  });

  document.addEventListener("DOMContentLoaded", function () {
    restore(document);
    var summary = document.querySelector("main [data-error-summary]");
    if (summary) summary.focus();
  });
})();
