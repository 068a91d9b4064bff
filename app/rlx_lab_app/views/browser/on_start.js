// Only the restart-at-the-end part of `ON_DIRECTION` (for players without hover).
if (cb_obj.direction == 1 && cb_obj.value >= cb_obj.end) {
  cb_obj.value = cb_obj.start;
}
