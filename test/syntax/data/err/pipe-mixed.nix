x: f: g: x |> f <| g
