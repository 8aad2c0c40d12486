let width = 16
let act = leaky_relu
input 28x28x1
block features:
  conv2d $width 3x3 same $act alpha=0.1 stride=1 init=he_normal name=first
  batchnorm momentum=0.9 epsilon=1e-5
  maxpool 3 same stride=2
  avgpool 2x2 valid
  conv2d_transpose 8 3 same stride=2 tanh
  upsample 2x1
  relu
  leaky_relu 0.2
  sigmoid
  tanh
  dropout 0.1
flatten
dense 32 relu init=lecun_normal
reshape 4x4x2
reshape 32
dense 10
softmax

train:
  loss crossentropy
  target labels
  optimizer sgd lr=0.01 momentum=0.9 nesterov=true weight_decay=1e-4
  batch 64
  epochs 3
  validation test
  schedule plateau val_accuracy factor=0.5 patience=2 min_delta=0.001 cooldown=1 min_lr=1e-5
  early_stopping val_loss patience=3 restore_best=true
  augment shift=2 rotate=10 flip_horizontal=true flip_vertical=false noise=0.01
