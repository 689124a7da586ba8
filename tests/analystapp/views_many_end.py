from tests.analystapp.many import define

define(globals(), end=True)
