# The seed's web app: one page that greets $NAME and names the container it runs in.
# Docker's original tutorial app also counts visits in Redis; that part is dropped here because
# the walk-through runs one container on a machine with no registry to pull a redis image from,
# and the original only showed "cannot connect to Redis" without one anyway.
import os
import socket

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    html = "<h3>Hello {name}!</h3><b>Hostname:</b> {hostname}<br/>"
    return html.format(name=os.getenv("NAME", "world"), hostname=socket.gethostname())


if __name__ == "__main__":
    # Port 80 inside the container, as in Docker's tutorial; `run -p 4000:80` publishes it.
    app.run(host="0.0.0.0", port=80)
