"""The helpdesk's one write path: a pure projector and one writer.

* `state`: what the events refer to, loaded in a few queries (the projector's input);
* `projector`: the rules, events applied to that state in memory (`state + event -> changes`);
* `writer`: the changes stored for one event or a chunk, in one transaction;
* `chunks`: the entry points every channel calls (`apply_lines` for `POST /events`,
  `/events/batch` and `serve --demo DIR`; `post` for the API's questions and messages).
"""

from servicenorm.helpdesk.projection.chunks import Applied, apply_lines, delay, post
from servicenorm.helpdesk.projection.projector import Posting

__all__ = ["Applied", "Posting", "apply_lines", "delay", "post"]
