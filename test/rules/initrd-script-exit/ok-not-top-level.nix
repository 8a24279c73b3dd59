# test: release 25.11
{ pkgs, ... }:
{
  boot.initrd.network.postCommands = ''
    echo "zfs load-key zroot; killall zfs; exit" >> /root/.profile
    ( exit 1 )
    x=$(exit 2)
    true | exit 3
    sleep 10 && exit 4 &
    sh -c 'exit 5'
    # exit 6
    cat > /root/.profile <<EOF
    exit
    EOF
    unused() { exit 7; }
    exec > /dev/kmsg 2>&1
  '';
  # A systemd stage-1 unit script runs as its own process: exit is fine there.
  boot.initrd.systemd.services.unlock.script = ''
    test -e /dev/nvme0n1 || exit 0
  '';
  # Not a stage-1 hook.
  systemd.services.foo.script = "exit 0";
}
