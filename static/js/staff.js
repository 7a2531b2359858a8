// Staff pages: small progressive enhancements (no inline scripts: the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Attendance register: tick "present" on every row still "not recorded"; staff then adjust.
  document.querySelectorAll("[data-mark-present]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      button.form.querySelectorAll("input[type=radio][value='']:checked").forEach(function (blank) {
        var present = button.form.querySelector(
          "input[type=radio][name='" + blank.name + "'][value='present']"
        );
        if (present) { present.checked = true; }
      });
    });
  });
  // Review: one box ticks every teacher of its table (the "Select all" link does it without JS).
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    var table = document.querySelector("[data-select-group='" + box.dataset.selectAll + "']");
    if (!table) { return; }
    box.hidden = false;
    var link = box.parentNode.querySelector(".select-all-link");
    if (link) { link.hidden = true; }
    box.addEventListener("change", function () {
      table.querySelectorAll("tbody input[type=checkbox]").forEach(function (row) {
        row.checked = box.checked;
      });
    });
  });
  // Check-in screen: load the next code when the current one expires (the link does it by hand).
  document.querySelectorAll("[data-reload-in]").forEach(function (screen) {
    var seconds = parseInt(screen.dataset.reloadIn, 10);
    if (seconds > 0) {
      window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    }
  });
});
