// A segment's time link plays the page's own recording from that time. Without
// JavaScript the link still opens the recording there (a #t= media fragment).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.timecode[data-start]");
  const player = document.getElementById("recording");
  if (!link || !player || typeof player.play !== "function") return;
  event.preventDefault();
  player.currentTime = Number(link.dataset.start);
  player.play();
});
