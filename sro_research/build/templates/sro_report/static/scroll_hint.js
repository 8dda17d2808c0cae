/* A table or chart wider than the screen scrolls in its own box; a line above it says so. */
(function () {
  function markScrollingBoxes() {
    document.querySelectorAll(".sro-table-box, .sro-figure-box").forEach(function (box) {
      var hint = box.previousElementSibling;
      var hinted = hint !== null && hint.classList.contains("sro-scroll-hint");
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !hinted) {
        hint = document.createElement("p");
        hint.className = "sro-scroll-hint";
        hint.textContent = "Wider than the screen: scroll sideways to see all of it \u2192";
        box.before(hint);
      } else if (!scrolls && hinted) {
        hint.remove();
      }
    });
  }
  window.addEventListener("load", markScrollingBoxes);
  window.addEventListener("resize", markScrollingBoxes);
  document.addEventListener("toggle", markScrollingBoxes, true);
})();
