// Its own module, with nothing else in it: an app that shows the name before the core has loaded
// (apps/web draws its pre-join first and fetches the core after) takes this one line, not the view.

/** The name of a participant the hub names with '' (or not yet): the one fallback, for every UI. */
export const GUEST_NAME = 'Guest'
