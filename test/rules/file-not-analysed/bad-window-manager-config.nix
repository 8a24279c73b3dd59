# window manager config kept beside the NixOS modules
set $mod Mod4
font pango:monospace 8
floating_modifier $mod
bindsym $mod+Return exec alacritty
bindsym $mod+Shift+q kill
bindsym $mod+d exec --no-startup-id dmenu_run
bindsym $mod+1 workspace number 1
bar {
        status_command i3status
}
# test: expect 1:0 file-not-analysed
