// Photos dropped on the take-in form join its file input, shown as thumbnails.
(function () {
  function show(input, thumbs) {
    thumbs.replaceChildren();
    for (const file of input.files) {
      const img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = file.name;
      img.className = "thumb";
      thumbs.appendChild(img);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    for (const zone of document.querySelectorAll("[data-drop-for]")) {
      const input = document.getElementById(zone.dataset.dropFor);
      const thumbs = zone.querySelector(".thumbs");
      input.addEventListener("change", function () { show(input, thumbs); });
      zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
      zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
      zone.addEventListener("drop", function (e) {
        e.preventDefault();
        zone.classList.remove("over");
        const all = new DataTransfer();
        for (const f of input.files) all.items.add(f);
        for (const f of e.dataTransfer.files) if (f.type.startsWith("image/")) all.items.add(f);
        input.files = all.files;
        show(input, thumbs);
      });
    }
  });
})();
