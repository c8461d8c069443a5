# JupyterHub's configuration for a class on one server, as `rnncourse hub` runs it:
#     jupyterhub -f deploy/jupyterhub_config.py     (with RNNCOURSE_HUB_SETTINGS=STATE/hub.json)
# The settings (users, addresses, folders) are in that JSON file, written by `rnncourse hub`;
# what is below is the shape of the deployment, the same for every class.
import json
import os
import pathlib

settings = json.loads(pathlib.Path(os.environ["RNNCOURSE_HUB_SETTINGS"]).read_text())
state = pathlib.Path(settings["state"])
env_bin = pathlib.Path(settings["env"]) / "bin"
c = get_config()  # noqa: F821

# where the hub listens, and its own files (root's)
c.JupyterHub.bind_url = f"http://{settings['ip']}:{settings['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['hub_port']}"  # the hub's API, for the servers
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"

# who may log in: the class's local Unix accounts, by their passwords (PAM)
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(settings["students"]) | {settings["instructor"]}
c.Authenticator.admin_users = {settings["instructor"]}

# each user's own server, as that user, from the class environment
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(env_bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def _environment(spawner, role_dirs=settings["config_path"], instructor=settings["instructor"]):
    role = "instructor" if spawner.user.name == instructor else "student"
    return role_dirs[role]


c.Spawner.environment = {
    "PATH": f"{env_bin}:/usr/local/bin:/usr/bin:/bin",
    "JUPYTER_CONFIG_PATH": _environment,  # nbgrader's and Jupyter's settings for the role
    "MPLBACKEND": "Agg",
}
