// Keyboard shortcuts for the review page: each decision button names its key in data-key.
// Typing into a field never triggers them.
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey) { return; }
  var target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) { return; }
  var button = document.querySelector('form.decide button[data-key="' + event.key + '"]');
  if (button) { event.preventDefault(); button.click(); }
});
