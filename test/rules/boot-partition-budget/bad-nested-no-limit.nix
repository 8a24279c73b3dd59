# test: boot systemd-boot host=gamma free=10MiB used=300MiB each=60MiB generations=5
# The finding and its fix stay inside the nested set.
{ ... }:
{
  networking.hostName = "gamma";
  boot = {
    loader.systemd-boot = {
      enable = true;
    # ^ boot-partition-budget
      editor = false;
    };
  };
}
