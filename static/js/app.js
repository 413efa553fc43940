// Behaviour that templates ask for with data- attributes, so no page needs an inline script or event handler
// (the Content-Security-Policy allows only scripts served from our own static files).

// <form data-confirm="Remove this entry?"> or <button data-confirm="..."> (the button that submitted wins): ask
// before submitting; "Cancel" submits nothing.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target instanceof HTMLFormElement ? event.target : undefined;
    const message = event.submitter?.dataset.confirm ?? form?.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

// <select data-options="template-id">: the options are the page's <template id="template-id">, rendered once for
// every row of a list, and copied into this picker the first time it is opened (pointer or keyboard). The current
// choice stays selected.
function fillOptions(select) {
  if (select.dataset.filled) return;
  const template = document.getElementById(select.dataset.options);
  if (!(template instanceof HTMLTemplateElement)) return;
  const current = select.value;
  const currentLabel = select.selectedOptions[0]?.text ?? "";
  select.replaceChildren(template.content.cloneNode(true));
  if (![...select.options].some((option) => option.value === current)) {
    select.add(new Option(currentLabel, current), 0);
  }
  select.value = current;
  select.dataset.filled = "1";
}
for (const type of ["focusin", "mousedown", "touchstart"]) {
  document.addEventListener(
    type,
    (event) => {
      const select = event.target instanceof Element ? event.target.closest("select[data-options]") : null;
      if (select) fillOptions(select);
    },
    { capture: true, passive: true },
  );
}

// <select data-fills="input-id" data-fills-from="name">: choosing an option copies the option's data-<name>
// into that input while the input is still empty (a client's contract date into a new engagement, say).
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement) || !select.dataset.fills) return;
  const input = document.getElementById(select.dataset.fills);
  const value = select.selectedOptions[0]?.getAttribute(`data-${select.dataset.fillsFrom}`);
  if (input && value && !input.value) input.value = value;
});

// <input data-filter="select-id">: typing narrows the options of that <select> (and hides empty groups), for long
// lists such as the time zones. The chosen option always stays.
document.addEventListener("input", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.filter) return;
  const select = document.getElementById(input.dataset.filter);
  if (!(select instanceof HTMLSelectElement)) return;
  const words = input.value.toLowerCase().split(/[\s/_,]+/).filter(Boolean);
  for (const option of select.options) {
    const text = `${option.value} ${option.text}`.toLowerCase().replaceAll("_", " ");
    option.hidden = !option.selected && !words.every((word) => text.includes(word));
  }
  for (const group of select.querySelectorAll("optgroup")) {
    group.hidden = [...group.children].every((option) => option.hidden);
  }
});

// Tables on a phone: every table of the app (those in a .table-responsive wrapper, and .table-stack ones) becomes a
// stack of cards below 768 px (app.css), each cell named by its column's heading, so no table scrolls sideways.
// Cells that already name themselves (data-label) keep their name.
function stackTables(root) {
  for (const table of root.querySelectorAll(".table-responsive > table, table.table-stack")) {
    table.classList.add("table-stack");
    const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, index) => {
        if (!cell.dataset.label && headings[index] && cell.colSpan === 1) cell.dataset.label = headings[index];
      });
    }
  }
}
stackTables(document);
document.body.addEventListener("htmx:afterSwap", (event) => stackTables(event.target));

// <input type=file data-file-picker="status-id"> (attachments/widgets.py): the status says what was chosen in the
// page's language: "No file chosen", or the count in its plural form (the status carries one message per plural
// category, as Intl.PluralRules names them) followed by the files' names.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.filePicker) return;
  const status = document.getElementById(input.dataset.filePicker);
  if (!status) return;
  const files = [...(input.files ?? [])];
  if (files.length === 0) {
    status.textContent = status.dataset.none;
    return;
  }
  const lang = document.documentElement.lang || "en";
  const category = new Intl.PluralRules(lang).select(files.length);
  const message = status.dataset[category] ?? status.dataset.other;
  const count = message.replace("%(count)s", files.length.toLocaleString(lang));
  status.textContent = `${count}: ${files.map((file) => file.name).join(", ")}`;
});

// An htmx request that the server refuses (a 4xx or 5xx) swaps nothing into the page: say so in the messages
// area, with the server's own words when it sent plain text (e.g. a NUL byte refused), so no click fails silently.
document.body.addEventListener("htmx:responseError", (event) => {
  const area = document.getElementById("messages");
  if (!area) return;
  const xhr = event.detail.xhr;
  const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain");
  const alert = document.createElement("div");
  alert.className = "alert alert-danger alert-dismissible fade show";
  alert.setAttribute("role", "alert");
  alert.dataset.testid = "request-failed";
  alert.textContent = plain && xhr.responseText ? xhr.responseText : area.dataset.requestFailed;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn-close";
  close.setAttribute("data-bs-dismiss", "alert");
  close.setAttribute("aria-label", area.dataset.closeLabel || "Close");
  alert.append(close);
  area.append(alert);
});

// <form data-warn-unsaved>: what is typed in it and not saved yet is not lost by leaving the page: the browser asks
// first (a link, a reload, closing the tab), and its [data-unsaved-note] shows while something is unsaved. The htmx
// save that replaces the form with the saved one ends the warning, as does submitting a [data-carry-drafts] form.
// <form data-carry-drafts> (sharing the minutes): on submit it carries what is unsaved in every
// <form data-minutes-draft="item id"> as hidden draft-<id>-<field> inputs, which the server saves first.
function unsavedFields(form) {
  return [...form.elements].filter(
    (field) =>
      (field instanceof HTMLTextAreaElement || (field instanceof HTMLInputElement && field.type === "text")) &&
      field.name &&
      field.value !== field.defaultValue,
  );
}
let carryingDrafts = false;
document.addEventListener("input", (event) => {
  const form = event.target instanceof Element ? event.target.closest("form[data-warn-unsaved]") : null;
  if (!form) return;
  const note = form.querySelector("[data-unsaved-note]");
  if (note) note.hidden = unsavedFields(form).length === 0;
});
window.addEventListener("beforeunload", (event) => {
  if (carryingDrafts) return;
  const unsaved = [...document.querySelectorAll("form[data-warn-unsaved]")].some(
    (form) => unsavedFields(form).length > 0,
  );
  if (unsaved) {
    event.preventDefault();
    event.returnValue = "";
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !("carryDrafts" in form.dataset)) return;
  for (const old of form.querySelectorAll("input[data-draft]")) old.remove();
  for (const source of document.querySelectorAll("form[data-minutes-draft]")) {
    for (const field of unsavedFields(source)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = `draft-${source.dataset.minutesDraft}-${field.name}`;
      input.value = field.value;
      input.dataset.draft = "1";
      form.append(input);
    }
  }
  carryingDrafts = true;
});
