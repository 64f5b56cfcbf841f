"""Who is calling and what the domain refuses: the principal, its visibility rules and the
domain errors (each knowing its HTTP status). The helpdesk and enforcement both build on
this package; neither imports the other."""
