// Resident pages: small enhancements on top of forms that work without JavaScript.
(function () {
  "use strict";

  // The dots budget: how many are left, recounted as the boxes change. The page says
  // each message in every plural form of its language; Intl.PluralRules picks one.
  function say(counter, name, count) {
    var forms = JSON.parse(counter.getAttribute("data-" + name));
    var category = new Intl.PluralRules(document.documentElement.lang).select(count);
    return (forms[category] || forms.other || forms.many).replace("{num}", count);
  }

  function recount(form) {
    var counter = form.querySelector("#dots-left");
    if (!counter) return;
    var total = parseInt(counter.getAttribute("data-total"), 10);
    var used = 0;
    form.querySelectorAll("input.lg-dots").forEach(function (box) {
      var value = parseInt(box.value, 10);
      if (!isNaN(value) && value > 0) used += value;
    });
    var left = total - used;
    var text = left >= 0 ? say(counter, "left", left) : say(counter, "over", -left);
    if (counter.textContent.trim() !== text) counter.textContent = text;
    counter.classList.toggle("lg-budget--over", left < 0);
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (box.classList && box.classList.contains("lg-dots") && box.form) recount(box.form);
  });

  // After htmx swaps in a confirmation or an error summary, move focus to it so
  // screen reader and keyboard users know what happened.
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("#comments [data-focus], #ballot-section [data-focus]");
    if (target) target.focus();
    document.querySelectorAll("form").forEach(recount);
  });

  // If the in-place request fails (an expired form, a dropped connection), send the
  // form the ordinary way, so the person sees the full page and what went wrong.
  function fallBack(event) {
    var form = event.detail.elt;
    if (form && form.tagName === "FORM") form.submit();
  }
  document.addEventListener("htmx:responseError", fallBack);
  document.addEventListener("htmx:sendError", fallBack);

  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      // A form with mistakes answers 400 with the form and its error summary: show it.
      window.htmx.config.responseHandling = [
        { code: "204", swap: false },
        { code: "[23]..", swap: true },
        { code: "400", swap: true, error: false },
        { code: "[45]..", swap: false, error: true }
      ];
    }
    document.querySelectorAll("form").forEach(recount);
    // A page that arrives with a confirmation (after a form was sent the ordinary way)
    // starts with focus on it, as after an in-place swap.
    var arrived = document.querySelector("main [data-focus]");
    if (arrived) arrived.focus();
  });
})();
