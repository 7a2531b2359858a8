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
});
