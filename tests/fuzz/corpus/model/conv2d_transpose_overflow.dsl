input 2x2x1
conv2d_transpose 1 1 stride=9223372036854775807
