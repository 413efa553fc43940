// Behaviour that templates ask for with data- attributes, so no page needs an inline script or event handler
// (the Content-Security-Policy allows only scripts served from our own static files).

// <form data-confirm="Remove this entry?">: ask before submitting; "Cancel" submits nothing.
document.addEventListener(
  "submit",
  (event) => {
    const message = event.target instanceof HTMLFormElement ? event.target.dataset.confirm : undefined;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);
