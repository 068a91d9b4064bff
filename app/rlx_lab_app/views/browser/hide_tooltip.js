// A click on a button hides its description (`tip`): the button is pressed and turns busy,
// and its tooltip stayed over the plots for the whole tuning run until the mouse left it.
tip.visible = false;
