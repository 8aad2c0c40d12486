input 2x2x1
conv2d 1 1 same stride=9223372036854775807
