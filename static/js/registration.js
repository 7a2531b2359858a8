// Registration form of a regional cohort: once the teacher picks a province, the form asks the
// names in that country's order and shows its phone example at once, without a request. The
// server applies the same conventions (sent in #country-conventions) when the form comes back, and
// without JavaScript the form works the same after a POST. No inline script: the CSP forbids it.
document.addEventListener("DOMContentLoaded", function () {
  var data = document.getElementById("country-conventions");
  var province = document.getElementById("id_province");
  if (!data || !province) { return; }
  var conventions = JSON.parse(data.textContent);

  function wrapper(name) { return document.getElementById("div_id_" + name); }

  function setLabel(name, text) {
    var label = document.querySelector("label[for='id_" + name + "']");
    if (!label) { return; }
    // The label's first text node holds the words; the required star is a child element.
    for (var node = label.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === Node.TEXT_NODE && node.nodeValue.trim()) {
        node.nodeValue = text;
        return;
      }
    }
  }

  function putFirst(first, second) {
    var a = wrapper(first), b = wrapper(second);
    if (a && b && a.parentNode === b.parentNode) { b.parentNode.insertBefore(a, b); }
  }

  function apply() {
    var option = province.options[province.selectedIndex];
    var country = (option && option.getAttribute("data-country")) || "";
    var rules = conventions[country] || conventions[""];
    if (rules.givenFirst) {
      putFirst("given_name", "family_name");
      putFirst("given_name_latin", "family_name_latin");
    } else {
      putFirst("family_name", "given_name");
      putFirst("family_name_latin", "given_name_latin");
    }
    setLabel("given_name", rules.givenLabel);
    setLabel("given_name_latin", rules.givenLatinLabel);
    var nickname = wrapper("nickname");
    if (nickname) { nickname.classList.toggle("d-none", !rules.nickname); }
    var hint = document.getElementById("id_phone_helptext");
    if (hint) { hint.textContent = rules.phoneHint; }
    var phone = document.getElementById("id_phone");
    if (phone) {
      if (rules.phonePlaceholder) { phone.setAttribute("placeholder", rules.phonePlaceholder); }
      else { phone.removeAttribute("placeholder"); }
    }
  }

  province.addEventListener("change", apply);
  apply(); // a province already chosen: the form came back, or the browser restored the field
});
