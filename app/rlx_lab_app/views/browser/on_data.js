// Callback of every full source's `data` and of `style`: one redraw once the server's
// update has been applied (all its changes arrive in one message).
if (!frame_cb._rlx_pending) {
  frame_cb._rlx_pending = true;
  setTimeout(() => {
    frame_cb._rlx_pending = false;
    frame_cb.execute(cb_obj, {update: true});
  }, 0);
}
